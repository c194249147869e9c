"""Logins under abuse: a copied cookie dies at logout everywhere it was copied to, an idle login
ends after ESTAPP_SESSION_IDLE_MINUTES and the login page says why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from estapp import create_app
from estapp.db import utcnow
from estapp.models import AuthSession
from tests.conftest import CsrfClient, log_in, make_settings

COORDINATOR = "samordnare@ekbacka.example"
PAGES = ["/", "/konto", "/samordning/ekbacka/handelser", "/lagesbild/ekbacka", "/admin/"]
IDLE_MINUTES = 20


def copy_of(app, web: CsrfClient) -> CsrfClient:
    """Another browser holding the same cookie, as an attacker with a stolen cookie would."""
    copy = app.test_client()
    copy.set_cookie("estapp_session", web.client.get_cookie("estapp_session").value)
    return CsrfClient(copy)


def test_copied_cookies_are_dead_after_logout_on_every_page(app, web, demo):
    log_in(web, COORDINATOR)
    copies = [copy_of(app, web) for _ in range(3)]
    assert all(copy.get("/konto").status_code == 200 for copy in copies)
    token = copies[0].token("/konto")

    web.post("/logga-ut", {}, form_page="/")

    for copy in copies:
        for page in PAGES:
            answer = copy.get(page)
            assert answer.status_code == 302 and "/logga-in" in answer.location, page
    # A form posted with the copy's own valid CSRF token changes nothing either.
    changed = copies[0].client.post(
        "/konto", data={"csrf_token": token, "lang-locale": "en", "lang-submit": "1"}
    )
    assert changed.status_code == 302 and "/logga-in" in changed.location
    assert web.get("/konto").status_code == 302  # the browser that logged out is out too


@pytest.fixture
def idle_app(database_url, tmp_path, clean_db):
    settings = make_settings(database_url, tmp_path, ESTAPP_SESSION_IDLE_MINUTES=str(IDLE_MINUTES))
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["estapp.engine"].dispose()


def idle_for(db, minutes: float) -> None:
    """Make the login's last activity lie ``minutes`` back, as if the user had walked away."""
    with db.begin():
        for auth in db.scalars(select(AuthSession)):
            auth.last_seen_at = utcnow() - timedelta(minutes=minutes)


def test_an_idle_login_ends_and_the_login_page_says_after_how_long(idle_app, db, demo):
    web = CsrfClient(idle_app.test_client())
    log_in(web, COORDINATOR)
    copy = copy_of(idle_app, web)

    idle_for(db, IDLE_MINUTES - 2)  # still within the limit: activity keeps the login alive
    assert web.get("/konto").status_code == 200
    idle_for(db, IDLE_MINUTES + 1)
    answer = web.get("/samordning/ekbacka/handelser", follow_redirects=True)

    page = answer.get_data(as_text=True)
    assert answer.request.path == "/logga-in"
    assert f"Du loggades ut efter {IDLE_MINUTES} minuter utan aktivitet." in page
    db.rollback()
    assert db.scalar(select(AuthSession)) is None  # ended on the server, not just in the cookie
    db.rollback()  # (and let the app write again: SQLite has one writer at a time)
    assert copy.get("/konto").status_code == 302  # and so for every copy of the cookie
    # Said once: the next visit to the login page is an ordinary one.
    assert "utan aktivitet" not in web.get("/logga-in").get_data(as_text=True)
    log_in(web, COORDINATOR)
    assert web.get("/konto").status_code == 200


def test_a_logout_is_not_reported_as_idleness(app, web, demo):
    log_in(web, COORDINATOR)
    copy = copy_of(app, web)
    web.post("/logga-ut", {}, form_page="/")

    page = copy.get("/konto", follow_redirects=True).get_data(as_text=True)

    assert "Logga in" in page and "utan aktivitet" not in page
