"""What the EST group did for one commitment in one calendar year, from the actions' history.

A year that has ended is described as it stood on 31 December, so a report written in March
says the same as one written on New Year's Eve: an action done in January counts as open at
the end of the year before. The year still running is described as it stands today. Pure
logic: no Flask, no ORM; :mod:`estapp.promises.yearly_queries` loads the records.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from estapp.models.meetings import OPEN_STATUSES, ActionStatus
from estapp.promises.progress import ActionFacts, Progress, progress_of


@dataclass(frozen=True)
class ActionState:
    """An action's status on a given day, the day it got that status and its latest change."""

    status: ActionStatus
    since: date
    last_change: date


@dataclass(frozen=True)
class ActionRecord:
    """One action tied to a commitment, with every status it has had (local dates)."""

    commitment_id: int
    text: str
    owner: str  # the owner organisation's name: the follow-up never names a person
    outcome: str
    due_on: date
    created_on: date
    changes: tuple[tuple[date, ActionStatus], ...]  # every follow-up, oldest first

    def state_on(self, day: date) -> ActionState | None:
        """The action as it stood at the end of ``day``; None if it had not been decided."""
        if self.created_on > day:
            return None
        status, since, last = ActionStatus.PLANNED, self.created_on, self.created_on
        for on, new_status in self.changes:
            if on > day:
                break
            if new_status != status:
                status, since = new_status, on
            last = max(last, on)
        return ActionState(status, since, last)

    def facts(self, state: ActionState) -> ActionFacts:
        """What :func:`estapp.promises.progress.progress_of` needs, as the action stood."""
        return ActionFacts(
            status=state.status,
            due_on=self.due_on,
            created_on=self.created_on,
            completed_on=state.since if state.status == ActionStatus.DONE else None,
            last_update_on=state.last_change,
        )


def changes_of(
    updates: Sequence[tuple[date, ActionStatus]],
    *,
    status_now: ActionStatus,
    completed_on: date | None,
    updated_on: date,
) -> tuple[tuple[date, ActionStatus], ...]:
    """The action's follow-ups; an action stored without any (imported, or made before the
    history was kept) is taken to have got its present status when it was last changed."""
    if updates:
        return tuple(updates)
    if status_now == ActionStatus.PLANNED:
        return ()
    changed_on = completed_on if status_now == ActionStatus.DONE and completed_on else updated_on
    return ((changed_on, status_now),)


@dataclass(frozen=True)
class DoneAction:
    done_on: date
    owner: str
    text: str
    outcome: str
    on_time: bool


@dataclass(frozen=True)
class CommitmentYear:
    """The year's counts for one commitment and its status by the promise page's rules."""

    decided: int  # actions decided during the year
    done: int  # actions done during the year
    done_on_time: int  # of those, done by their due date
    still_open: int  # planned or in progress at the end of the year (today, if it runs)
    cancelled: int  # cancelled during the year
    progress: Progress  # as of the end of the year (today, if it runs)
    done_actions: tuple[DoneAction, ...]  # oldest first

    @property
    def current(self) -> int:
        """The actions the year is measured by: done during it, or still open at its end."""
        return self.done + self.still_open

    @property
    def had_actions(self) -> bool:
        return bool(self.decided or self.done or self.still_open or self.cancelled)


def commitment_year(records: Iterable[ActionRecord], year: int, as_of: date) -> CommitmentYear:
    """Count one commitment's actions for ``year``, as they stood on ``as_of``."""
    decided = done_on_time = still_open = cancelled = 0
    done: list[DoneAction] = []
    facts: list[ActionFacts] = []
    for record in records:
        state = record.state_on(as_of)
        if state is None:
            continue
        facts.append(record.facts(state))
        decided += record.created_on.year == year
        if state.status in OPEN_STATUSES:
            still_open += 1
        elif state.since.year != year:
            continue
        elif state.status == ActionStatus.CANCELLED:
            cancelled += 1
        else:
            on_time = state.since <= record.due_on
            done_on_time += on_time
            done.append(DoneAction(state.since, record.owner, record.text, record.outcome, on_time))
    done.sort(key=lambda item: (item.done_on, item.text))
    return CommitmentYear(
        decided=decided,
        done=len(done),
        done_on_time=done_on_time,
        still_open=still_open,
        cancelled=cancelled,
        progress=progress_of(facts, as_of),
        done_actions=tuple(done),
    )


def as_of_day(year: int, today: date) -> date:
    """The day a year is described as of: its last day, or today while it runs."""
    return min(date(year, 12, 31), today)
