"""The meetings blueprint and what its view modules share: labels and showing a refusal."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash

from estapp.db import get_session
from estapp.meetings import labels
from estapp.meetings.rules import WHOLE_FORM, MeetingRefused
from estapp.reporting.web import put_errors

bp = Blueprint("meetings", __name__)


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "action_status_label": labels.status_label,
        "due_text": labels.due_text,
        "is_overdue": labels.is_overdue,
    }


def refused(form: Any, rejected: MeetingRefused) -> None:
    """Put a service's messages at the form's fields; one about the whole form is flashed."""
    get_session().rollback()
    messages = {name: str(message) for name, message in rejected.errors.items()}
    whole = messages.pop(WHOLE_FORM, None)
    if whole:
        flash(whole, "error")
    if form is not None:
        put_errors(form, messages)
    elif messages:
        flash(" ".join(messages.values()), "error")
