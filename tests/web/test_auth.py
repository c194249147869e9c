"""Logging in and out, throttling, sessions, passwords and security headers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from estapp.auth import services
from estapp.db import utcnow
from estapp.models import AuditEvent, AuthSession, User
from tests.conftest import DEMO_PASSWORD, log_in

COORDINATOR = "samordnare@ekbacka.example"


def test_anonymous_visitor_is_sent_to_login(client, demo):
    response = client.get("/")
    assert response.status_code == 302
    assert "/logga-in" in response.headers["Location"]


def test_login_shows_start_page_with_own_kommun(web, demo):
    response = log_in(web, COORDINATOR)
    assert response.status_code == 302
    page = web.get("/").get_data(as_text=True)
    assert "Samordnare Ekbacka" in page
    assert "Ekbacka" in page and "Sjövik" not in page


def test_wrong_password_gives_swedish_message_and_keeps_email(web, demo):
    response = log_in(web, COORDINATOR, "fel-lösenord")
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Fel e-postadress eller lösenord" in page
    assert f'value="{COORDINATOR}"' in page


def test_unknown_email_gets_the_same_message(web, demo):
    page = log_in(web, "ingen@example.se", "whatever-123").get_data(as_text=True)
    assert "Fel e-postadress eller lösenord" in page


def test_eleven_wrong_passwords_lock_the_account_even_for_the_right_one(web, demo):
    for _ in range(10):
        assert log_in(web, COORDINATOR, "fel-lösenord").status_code == 401
    response = log_in(web, COORDINATOR, "fel-lösenord")
    assert response.status_code == 429
    assert "För många misslyckade inloggningsförsök" in response.get_data(as_text=True)
    assert log_in(web, COORDINATOR, DEMO_PASSWORD).status_code == 429


def test_throttle_window_passes(db, demo, settings):
    policy = services.ThrottlePolicy(settings.login_max_failures, settings.login_window)
    now = utcnow()
    with db.begin():
        for _ in range(10):
            services.authenticate(db, COORDINATOR, "fel", "10.0.0.1", policy, now=now)
    assert services.is_throttled(db, COORDINATOR, "10.0.0.2", policy, now=now)
    later = now + settings.login_window + timedelta(seconds=1)
    assert not services.is_throttled(db, COORDINATOR, "10.0.0.2", policy, now=later)
    result = services.authenticate(db, COORDINATOR, DEMO_PASSWORD, "10.0.0.2", policy, now=later)
    assert result.outcome is services.LoginOutcome.OK


def test_throttle_by_address_covers_many_accounts(db, demo, settings):
    policy = services.ThrottlePolicy(settings.login_max_failures, settings.login_window)
    now = utcnow()
    with db.begin():
        for index in range(10):
            services.authenticate(db, f"gissning{index}@x.se", "fel", "10.9.9.9", policy, now=now)
    assert services.is_throttled(db, COORDINATOR, "10.9.9.9", policy, now=now)


def test_logout_kills_a_copied_cookie(app, web, demo):
    log_in(web, COORDINATOR)
    cookie = web.client.get_cookie("estapp_session")
    assert cookie is not None
    copy = app.test_client()
    copy.set_cookie("estapp_session", cookie.value)
    assert copy.get("/").status_code == 200
    web.post("/logga-ut", {}, form_page="/")
    assert copy.get("/").status_code == 302


def test_idle_session_expires(web, db, demo, settings):
    log_in(web, COORDINATOR)
    with db.begin():
        for auth in db.scalars(select(AuthSession)):
            auth.last_seen_at = utcnow() - settings.session_idle_timeout - timedelta(minutes=1)
    assert web.get("/").status_code == 302
    assert db.scalar(select(AuthSession)) is None


def test_session_lifetime_is_absolute(web, db, demo, settings):
    log_in(web, COORDINATOR)
    with db.begin():
        for auth in db.scalars(select(AuthSession)):
            auth.created_at = utcnow() - settings.session_lifetime - timedelta(minutes=1)
    assert web.get("/").status_code == 302


def test_post_without_csrf_token_is_refused(client, demo):
    response = client.post("/logga-in", data={"email": COORDINATOR, "password": DEMO_PASSWORD})
    assert response.status_code == 400
    assert "Formuläret hade gått ut" in response.get_data(as_text=True)


def test_security_headers(client):
    response = client.get("/logga-in")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_open_redirect_is_refused(web, demo):
    response = web.post(
        "/logga-in?next=//evil.example/x",
        {"email": COORDINATOR, "password": DEMO_PASSWORD},
    )
    assert response.headers["Location"] == "/"


def test_change_password_ends_other_sessions(app, web, demo, login):
    login(COORDINATOR)
    other = app.test_client()
    log_in(type(web)(other), COORDINATOR)
    assert other.get("/").status_code == 200
    response = web.post(
        "/konto",
        {
            "pw-current": DEMO_PASSWORD,
            "pw-password": "ett-nytt-lösenord",
            "pw-confirm": "ett-nytt-lösenord",
            "pw-submit": "1",
        },
    )
    assert response.status_code == 302
    assert web.get("/").status_code == 200
    assert other.get("/").status_code == 302
    web.post("/logga-ut", {}, form_page="/")
    assert log_in(web, COORDINATOR, "ett-nytt-lösenord").status_code == 302


def test_change_password_errors_are_shown_at_the_fields(web, demo, login):
    login(COORDINATOR)
    response = web.post(
        "/konto",
        {"pw-current": "fel", "pw-password": "kort", "pw-confirm": "annat", "pw-submit": "1"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Lösenordet ska vara mellan 10 och 200 tecken" in page
    assert "Lösenorden är inte likadana" in page


def test_invitation_link_sets_password_once(web, db, demo):
    with db.begin():
        user = db.scalar(select(User).where(User.email == COORDINATOR))
        token = services.issue_password_token(db, user, now=utcnow())
    path = f"/konto/nytt-losenord/{token}"
    page = web.get(path).get_data(as_text=True)
    assert COORDINATOR in page
    response = web.post(path, {"password": "inbjuden-och-klar", "confirm": "inbjuden-och-klar"})
    assert response.status_code == 302
    assert log_in(web, COORDINATOR, "inbjuden-och-klar").status_code == 302
    web.post("/logga-ut", {}, form_page="/")
    again = web.get(path)
    assert again.status_code == 404
    assert "Länken fungerar inte längre" in again.get_data(as_text=True)


def test_expired_invitation_link(web, db, demo):
    with db.begin():
        user = db.scalar(select(User).where(User.email == COORDINATOR))
        token = services.issue_password_token(db, user, now=utcnow() - timedelta(days=8))
    assert web.get(f"/konto/nytt-losenord/{token}").status_code == 404


def test_deactivated_user_cannot_log_in_and_is_logged_out(app, web, db, demo):
    log_in(web, COORDINATOR)
    with db.begin():
        db.scalar(select(User).where(User.email == COORDINATOR)).active = False
    assert web.get("/").status_code == 302
    response = log_in(web, COORDINATOR)
    assert "Kontot är avstängt" in response.get_data(as_text=True)


def test_logins_and_failures_are_audited(web, db, demo):
    log_in(web, COORDINATOR, "fel-lösenord")
    log_in(web, COORDINATOR)
    actions = [e.action for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "login_failed" in actions and "login" in actions


def test_language_can_be_switched_to_english(web, demo, login):
    login(COORDINATOR)
    web.post("/konto", {"lang-locale": "en", "lang-submit": "1"})
    page = web.get("/konto").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Change password" in page and "Byt lösenord" not in page
