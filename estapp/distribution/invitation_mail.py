"""The invitation e-mail: a new account's set-password link, queued with the invitation."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from estapp.auth.services import PASSWORD_TOKEN_LIFETIME
from estapp.config import Settings
from estapp.distribution.links import external_url
from estapp.distribution.mail_body import render_mail
from estapp.distribution.outbox import queue_message
from estapp.models import User


def queue_invitation(session: Session, user: User, token: str, *, now: datetime) -> str:
    """Queue the mail in the invitation's transaction; return the link it carries.

    Each link is its own document, so a renewed invitation is a new mail, while a retry of
    the same one keeps its Message-ID.
    """
    settings: Settings = current_app.config["SETTINGS"]
    link = external_url(settings.base_url, "auth.set_password", token=token)
    context = {
        "user": user,
        "link": link,
        "days": PASSWORD_TOKEN_LIFETIME.days,
        "kommuner": ", ".join(m.name for m in user.municipalities),
        "organisation": user.organisation.name if user.organisation else "",
    }
    text, html = render_mail("mail/invitation", **context)
    queue_message(
        session,
        document_key=f"inbjudan:{user.id}:{hashlib.sha256(token.encode()).hexdigest()[:16]}",
        recipient=user.email,
        subject="Välkommen till estapp – välj ditt lösenord",
        text=text,
        html=html,
        settings=settings,
        now=now,
    )
    return link
