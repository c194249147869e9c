"""Swedish words for an action's status and how its due date stands, for the pages."""

from __future__ import annotations

from datetime import date

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from estapp.meetings.domain import DueState, due_state, swedish_day
from estapp.models import Action, ActionStatus

STATUS_LABELS: dict[ActionStatus, LazyString] = {
    ActionStatus.PLANNED: _l("Planerad"),
    ActionStatus.IN_PROGRESS: _l("Pågående"),
    ActionStatus.DONE: _l("Genomförd"),
    ActionStatus.CANCELLED: _l("Inställd"),
}


def status_label(status: ActionStatus) -> str:
    return str(STATUS_LABELS[status])


def due_text(action: Action, today: date) -> str:
    """The due date in words; an open action past it says so in text, not only in colour."""
    day = swedish_day(action.due_on)
    if not action.is_open:
        return str(_l("Skulle vara klar %(day)s", day=day))
    state = due_state(action.due_on, today=today)
    if state is DueState.OVERDUE:
        return str(_l("Försenad: skulle vara klar %(day)s", day=day))
    if state is DueState.DUE:
        return str(_l("Ska vara klar i dag, %(day)s", day=day))
    return str(_l("Klart senast %(day)s", day=day))


def is_overdue(action: Action, today: date) -> bool:
    return action.is_open and action.due_on < today
