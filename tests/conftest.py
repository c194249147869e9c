"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when configured), app, clients."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from estapp import create_app
from estapp.config import Settings, load_settings
from estapp.db import Base, make_engine, make_session_factory
from estapp.migrate import upgrade

DEMO_PASSWORD = "test-demo-lösen-1"


def pytest_report_header() -> str:
    url = os.environ.get("ESTAPP_TEST_DATABASE_URL")
    return f"estapp database: {'PostgreSQL ' + url if url else 'SQLite (temporary file)'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test database, migrated once per run with the real Alembic migrations."""
    url = os.environ.get("ESTAPP_TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _empty_all_tables(engine: Engine) -> None:
    tables = [t.name for t in Base.metadata.sorted_tables]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            connection.execute(text("UPDATE area SET parent_id = NULL"))  # sub-areas first
            for name in reversed(tables):
                connection.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture
def clean_db(engine: Engine) -> Iterator[Engine]:
    """Every test starts from empty tables."""
    _empty_all_tables(engine)
    yield engine


def make_settings(database_url: str, instance_dir: Path, **overrides: str) -> Settings:
    environ = {
        "ESTAPP_ENV": "test",
        "ESTAPP_DATABASE_URL": database_url,
        "ESTAPP_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "ESTAPP_INSTANCE_DIR": str(instance_dir),
        "ESTAPP_DEMO_PASSWORD": DEMO_PASSWORD,
        "ESTAPP_BASE_URL": "http://localhost",
        **overrides,
    }
    return load_settings(environ)


@pytest.fixture
def settings(database_url: str, tmp_path: Path, clean_db: Engine) -> Settings:
    return make_settings(database_url, tmp_path)


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["estapp.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def db(engine: Engine, clean_db: Engine) -> Iterator[Session]:
    """A session for arranging and checking data directly; the test commits when it needs to."""
    session = make_session_factory(engine)()
    yield session
    session.close()


@pytest.fixture
def demo(db: Session, settings: Settings) -> Session:
    """The demo kommuner, partners and accounts (password ``DEMO_PASSWORD``)."""
    from estapp.seed.demo import create_demo_data

    with db.begin():
        create_demo_data(db, settings)
    return db


class CsrfClient:
    """Wrap a test client so POSTs carry the CSRF token of the page they were sent from."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def token(self, path: str) -> str:
        import re

        page = self.client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
            r'name="csrf_token" value="([^"]+)"', page
        )
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def post(self, path: str, data: dict[str, object], *, form_page: str | None = None, **kw):
        data = {"csrf_token": self.token(form_page or path), **data}
        return self.client.post(path, data=data, **kw)

    def get(self, path: str, **kw):
        return self.client.get(path, **kw)


@pytest.fixture
def web(client: FlaskClient) -> CsrfClient:
    return CsrfClient(client)


def log_in(web: CsrfClient, email: str, password: str = DEMO_PASSWORD):
    return web.post("/logga-in", {"email": email, "password": password})


@pytest.fixture
def login(web: CsrfClient):
    """Log the test client in as the given demo account."""

    def _login(email: str, password: str = DEMO_PASSWORD) -> CsrfClient:
        response = log_in(web, email, password)
        assert response.status_code == 302, response.get_data(as_text=True)
        return web

    return _login


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test is a suite that did not run: fail the run."""
    if os.environ.get("ESTAPP_FAIL_ON_SKIP") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"ESTAPP_FAIL_ON_SKIP: {len(skipped)} test(s) skipped", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
