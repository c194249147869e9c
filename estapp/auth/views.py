"""Log in, log out, change password and language, and set a password from a link."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from estapp.auth import services
from estapp.auth.access import public
from estapp.auth.forms import ChangePasswordForm, LanguageForm, LoginForm, NewPasswordForm
from estapp.auth.passwords import verify_password
from estapp.config import Settings
from estapp.db import get_session, utcnow

bp = Blueprint("auth", __name__)


def _settings() -> Settings:
    return current_app.config["SETTINGS"]


def _throttle_policy() -> services.ThrottlePolicy:
    settings = _settings()
    return services.ThrottlePolicy(settings.login_max_failures, settings.login_window)


def _safe_next(target: str | None) -> str:
    """Follow ?next= only to a path on this site, never to another host."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("home.index")


@bp.route("/logga-in", methods=["GET", "POST"])
@public
def login() -> ResponseReturnValue:
    """Show the login form and sign the user in."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        db = get_session()
        now = utcnow()
        result = services.authenticate(
            db,
            form.email.data or "",
            form.password.data or "",
            request.remote_addr or "okänd",
            _throttle_policy(),
            now=now,
        )
        if result.outcome is services.LoginOutcome.OK and result.user is not None:
            token = services.start_session(db, result.user, now=now)
            db.commit()
            session.clear()  # a fresh cookie session: no fixation
            result.user.session_token = token
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")))
        db.commit()
        status = 429 if result.outcome is services.LoginOutcome.THROTTLED else 401
        minutes = int(_settings().login_window.total_seconds() // 60)
        message = {
            services.LoginOutcome.THROTTLED: _(
                "För många misslyckade inloggningsförsök. Av säkerhetsskäl är inloggningen "
                "spärrad i %(minutes)s minuter. Försök igen senare.",
                minutes=minutes,
            ),
            services.LoginOutcome.INACTIVE: _(
                "Kontot är avstängt. Kontakta din samordnare eller administratör."
            ),
            services.LoginOutcome.WRONG_CREDENTIALS: _(
                "Fel e-postadress eller lösenord. Kontrollera och försök igen."
            ),
        }[result.outcome]
        form.password.errors = [message]
    elif form.errors:
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logga-ut", methods=["POST"])
def logout() -> ResponseReturnValue:
    """End the session on the server and in the browser."""
    token = current_user.get_id()
    if token:
        db = get_session()
        services.end_session(db, token, now=utcnow())
        db.commit()
    logout_user()
    session.clear()
    flash(_("Du är utloggad."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/konto", methods=["GET", "POST"])
def account() -> ResponseReturnValue:
    """Let the user change password and language."""
    password_form = ChangePasswordForm(prefix="pw")
    language_form = LanguageForm(prefix="lang", locale=current_user.locale)
    status = 200
    if request.method == "POST":
        db = get_session()
        if "pw-submit" in request.form and password_form.validate_on_submit():
            if not verify_password(current_user.password_hash, password_form.current.data or ""):
                password_form.current.errors = [_("Det nuvarande lösenordet stämmer inte.")]
                status = 400
            else:
                services.change_password(
                    db,
                    current_user,
                    password_form.password.data or "",
                    keep_token=current_user.get_id(),
                    now=utcnow(),
                )
                db.commit()
                flash(_("Ditt lösenord är ändrat. Andra inloggningar har avslutats."), "success")
                return redirect(url_for("auth.account"))
        elif "lang-submit" in request.form and language_form.validate_on_submit():
            current_user.locale = language_form.locale.data or "sv"
            db.commit()
            flash(_("Språket är ändrat."), "success")
            return redirect(url_for("auth.account"))
        else:
            status = 400
    return (
        render_template(
            "auth/account.html", password_form=password_form, language_form=language_form
        ),
        status,
    )


@bp.route("/konto/nytt-losenord/<token>", methods=["GET", "POST"])
@public
def set_password(token: str) -> ResponseReturnValue:
    """Let an invited user choose a password from the link in the invitation."""
    db = get_session()
    row = services.find_password_token(db, token, now=utcnow())
    if row is None:
        return render_template("auth/link_expired.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        user = services.use_password_token(db, row, form.password.data or "", now=utcnow())
        db.commit()
        if current_user.is_authenticated:
            logout_user()
        session.clear()
        flash(
            _(
                "Lösenordet är sparat. Logga in med %(email)s och ditt nya lösenord.",
                email=user.email,
            ),
            "success",
        )
        return redirect(url_for("auth.login"))
    return (
        render_template("auth/set_password.html", form=form, user=row.user),
        400 if form.errors else 200,
    )
