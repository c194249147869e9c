"""The admin's outbox: every message, also those of no kommun (invitations), on one page."""

from __future__ import annotations

from flask import url_for
from flask.typing import ResponseReturnValue

from estapp.admin.blueprint import bp
from estapp.distribution.outbox_views import kept_arguments, outbox_page, requeue


@bp.route("/utkorg")
def outbox() -> ResponseReturnValue:
    """List all outgoing e-mail, newest first, filtered by status."""
    return outbox_page(
        None,
        lambda message: url_for("admin.outbox_retry", message_id=message.id, **kept_arguments()),
    )


@bp.route("/utkorg/<int:message_id>/forsok-igen", methods=["POST"])
def outbox_retry(message_id: int) -> ResponseReturnValue:
    """Put any failed message back in the queue."""
    return requeue(None, message_id, url_for("admin.outbox", **kept_arguments()))
