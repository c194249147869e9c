"""Browser tests: the real app on a live server, driven by Debian's Chromium through Playwright.

The live server has its own database (a temporary SQLite file, or a throwaway PostgreSQL database
next to ``ESTAPP_TEST_DATABASE_URL``), so the other tests' table truncation never reaches it.
Without Chromium the tests are skipped, unless ``ESTAPP_REQUIRE_E2E=1`` makes that a failure.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, delete
from sqlalchemy.engine import make_url
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from estapp import create_app
from estapp.config import Settings
from estapp.db import make_engine, make_session_factory
from estapp.migrate import upgrade
from estapp.models import LoginAttempt
from estapp.seed.demo import create_demo_data
from tests.conftest import make_settings
from tests.e2e.browser import AXE_PATH, AXE_SOURCE, CHROMIUM, CHROMIUM_ARGS, DESKTOP, BrowserPage
from tests.integration.smtp_server import free_port


def _require_browser() -> None:
    """Skip without Chromium or Playwright, or fail when ESTAPP_REQUIRE_E2E=1 demands them."""
    problem = None
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        problem = f"{CHROMIUM} is missing (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is missing (pip install -e '.[dev]')"
    if problem is None:
        return
    if os.environ.get("ESTAPP_REQUIRE_E2E") == "1":
        pytest.fail(f"ESTAPP_REQUIRE_E2E=1 but the browser tests cannot run: {problem}")
    pytest.skip(f"browser tests skipped: {problem}")


# --- the database -----------------------------------------------------------------------------


def _postgres_admin_conninfo(url: str) -> str:
    """A libpq URI for the server's maintenance database ``postgres``."""
    return (
        make_url(url)
        .set(drivername="postgresql", database="postgres")
        .render_as_string(hide_password=False)
    )


def _recreate_postgres_database(url: str, name: str, *, create: bool) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(_postgres_admin_conninfo(url), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if create:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def e2e_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database of the live server's own: never the one the other tests truncate."""
    shared = os.environ.get("ESTAPP_TEST_DATABASE_URL")
    if not shared:
        yield f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'e2e.sqlite3'}"
        return
    name = f"{make_url(shared).database}_e2e"
    _recreate_postgres_database(shared, name, create=True)
    try:
        yield make_url(shared).set(database=name).render_as_string(hide_password=False)
    finally:
        _recreate_postgres_database(shared, name, create=False)


# --- the live server --------------------------------------------------------------------------


class _QuietRequestHandler(WSGIRequestHandler):
    """Keep the request log out of the test output; errors are still logged."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class _LateApp:
    """A WSGI callable bound to the app once the server's port (and so its URL) is known."""

    app: Callable[..., Any] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        assert self.app is not None
        # Read the whole body and close it here: werkzeug's dev server skips close() when the
        # browser drops the connection early, which leaves static files open (ResourceWarning).
        response = self.app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            if hasattr(response, "close"):
                response.close()


@dataclass(frozen=True)
class LiveServer:
    url: str
    engine: Engine
    settings: Settings  # its SMTP port has nothing listening until a test starts a server there

    def reset_login_throttle(self) -> None:
        """Forget failed logins: every browser test logs in from 127.0.0.1."""
        with make_session_factory(self.engine).begin() as session:
            session.execute(delete(LoginAttempt))


@pytest.fixture(scope="session")
def live_server(
    e2e_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The demo installation served on 127.0.0.1 in a background thread."""
    _require_browser()  # before the slow part: session fixtures are set up before the browser
    upgrade(e2e_database_url)
    late_app = _LateApp()
    with ExitStack() as cleanup:  # undone in reverse, also when a step here fails
        server: BaseWSGIServer = make_server(
            "127.0.0.1", 0, late_app, threaded=True, request_handler=_QuietRequestHandler
        )
        cleanup.callback(server.server_close)
        url = f"http://127.0.0.1:{server.server_port}"
        settings = make_settings(
            e2e_database_url,
            tmp_path_factory.mktemp("e2e-instance"),
            ESTAPP_BASE_URL=url,
            ESTAPP_SMTP_HOST="127.0.0.1",
            ESTAPP_SMTP_PORT=str(free_port()),
        )
        engine = make_engine(e2e_database_url)
        cleanup.callback(engine.dispose)
        with make_session_factory(engine).begin() as session:
            create_demo_data(session, settings)
        app = create_app(settings)
        cleanup.callback(app.extensions["estapp.engine"].dispose)
        late_app.app = app
        thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
        thread.start()
        cleanup.callback(thread.join, 10)
        cleanup.callback(server.shutdown)
        yield LiveServer(url=url, engine=engine, settings=settings)


# --- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One headless Chromium for the e2e package, closed before the non-browser tests run."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def open_page(browser: Any, live_server: LiveServer) -> Iterator[Callable[..., BrowserPage]]:
    """Open pages in fresh browser contexts (own cookies); CSP violations or script errors fail."""
    contexts: list[Any] = []
    pages: list[BrowserPage] = []
    axe_source = AXE_SOURCE.read_text(encoding="utf-8")

    def _open(viewport: dict[str, int] = DESKTOP) -> BrowserPage:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            locale="sv-SE",
            timezone_id="Europe/Stockholm",
        )
        context.set_default_timeout(10_000)
        context.route(
            f"{live_server.url}{AXE_PATH}",
            lambda route: route.fulfill(
                status=200, content_type="text/javascript; charset=utf-8", body=axe_source
            ),
        )
        contexts.append(context)
        page = BrowserPage(context.new_page())
        pages.append(page)
        return page

    yield _open
    for context in contexts:
        context.close()  # also delivers console events still in flight
    problems = [problem for page in pages for problem in page.browser_problems()]
    if problems:
        pytest.fail("the browser reported problems:\n" + "\n".join(problems))
