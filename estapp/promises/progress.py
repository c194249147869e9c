"""Progress of a promise's commitments, computed from the EST group's actions.

The rules are kept here as constants and one function, :func:`status_of`, so that the page that
shows the status can also state how it is worked out. Everything is counted, nothing is named:
the result holds numbers and dates only, never an action's text or a person.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from estapp.models.meetings import ActionStatus

# A commitment with no activity (an action created, followed up or completed) for this long
# has "ingen aktivitet".
INACTIVE_AFTER = timedelta(weeks=8)
# Below this share of done actions completed by their due date the commitment is "efter".
ON_TIME_THRESHOLD = 0.5

OPEN = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class ProgressStatus(enum.StrEnum):
    INACTIVE = "ingen-aktivitet"
    BEHIND = "efter"
    ON_TRACK = "i-fas"


STATUS_LABELS: dict[ProgressStatus, LazyString] = {
    ProgressStatus.INACTIVE: _l("ingen aktivitet"),
    ProgressStatus.BEHIND: _l("efter"),
    ProgressStatus.ON_TRACK: _l("i fas"),
}

# The rules as a coordinator reads them, in the order they are tried (shown on the promise page).
STATUS_RULES: tuple[tuple[ProgressStatus, LazyString], ...] = (
    (
        ProgressStatus.INACTIVE,
        _l(
            "Ingen aktivitet: åtagandet har inga åtgärder (inställda räknas inte), "
            "eller ingenting har hänt med dess åtgärder de senaste 8 veckorna."
        ),
    ),
    (
        ProgressStatus.BEHIND,
        _l(
            "Efter: någon öppen åtgärd har passerat sitt slutdatum, "
            "eller färre än hälften av de genomförda åtgärderna blev klara i tid."
        ),
    ),
    (ProgressStatus.ON_TRACK, _l("I fas: i övriga fall.")),
)


@dataclass(frozen=True)
class ActionFacts:
    """What progress needs to know of one action, as local dates."""

    status: ActionStatus
    due_on: date
    created_on: date
    completed_on: date | None = None
    last_update_on: date | None = None


@dataclass(frozen=True)
class Progress:
    done: int  # genomförda
    total: int  # all actions except cancelled ones
    on_time_share: float | None  # done by the due date, of the done ones; None when none done
    latest_activity: date | None
    overdue: int  # open actions past their due date
    status: ProgressStatus

    @property
    def on_time_percent(self) -> int | None:
        return None if self.on_time_share is None else round(self.on_time_share * 100)


def status_of(
    *,
    total: int,
    overdue: int,
    on_time_share: float | None,
    latest_activity: date | None,
    today: date,
) -> ProgressStatus:
    """The commitment's status; the rules, tried in this order:

    1. "ingen aktivitet" when there are no actions (cancelled ones not counted), or the latest
       activity is more than ``INACTIVE_AFTER`` (8 weeks) before ``today`` (exactly 8 weeks
       ago still counts as active);
    2. "efter" when any open action (planerad, pågående) is past its due date (due before
       ``today``), or the on-time share is below ``ON_TIME_THRESHOLD`` (50 %; exactly 50 % is
       not behind);
    3. "i fas" otherwise.
    """
    if total == 0 or latest_activity is None or latest_activity < today - INACTIVE_AFTER:
        return ProgressStatus.INACTIVE
    if overdue > 0 or (on_time_share is not None and on_time_share < ON_TIME_THRESHOLD):
        return ProgressStatus.BEHIND
    return ProgressStatus.ON_TRACK


def progress_of(actions: Iterable[ActionFacts], today: date) -> Progress:
    """Count one commitment's actions and give its status (see :func:`status_of`)."""
    given = list(actions)
    counted = [a for a in given if a.status != ActionStatus.CANCELLED]
    done = [a for a in counted if a.status == ActionStatus.DONE]
    on_time = [a for a in done if a.completed_on is not None and a.completed_on <= a.due_on]
    share = len(on_time) / len(done) if done else None
    overdue = sum(1 for a in counted if a.status in OPEN and a.due_on < today)
    moments = [
        day
        for a in given
        for day in (a.created_on, a.last_update_on, a.completed_on)
        if day is not None
    ]
    latest = max(moments, default=None)
    return Progress(
        done=len(done),
        total=len(counted),
        on_time_share=share,
        latest_activity=latest,
        overdue=overdue,
        status=status_of(
            total=len(counted),
            overdue=overdue,
            on_time_share=share,
            latest_activity=latest,
            today=today,
        ),
    )
