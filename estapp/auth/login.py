"""Flask-Login wiring: a login is a server-side session, looked up on every request."""

from __future__ import annotations

from flask import Flask, current_app, flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from estapp.auth import services
from estapp.config import Settings
from estapp.db import get_session, utcnow
from estapp.models import User

login_manager = LoginManager()


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Logga in för att se sidan.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the server-side session is the protection
    login_manager.init_app(app)


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """Resume the server-side session named by the cookie, or treat the visitor as anonymous."""
    settings: Settings = current_app.config["SETTINGS"]
    resumed = services.resume_session(
        get_session(),
        token,
        idle_timeout=settings.session_idle_timeout,
        lifetime=settings.session_lifetime,
        now=utcnow(),
    )
    user = resumed.user
    if user is not None:
        user.session_token = token
    # The idle clock moved or an expired session was deleted; keep that even on GET requests.
    get_session().commit()
    if resumed.idled_out:
        minutes = int(settings.session_idle_timeout.total_seconds() // 60)
        flash(
            _(
                "Du loggades ut efter %(minutes)s minuter utan aktivitet. Logga in igen.",
                minutes=minutes,
            ),
            "info",
        )
    return user
