"""A commitment's timeline: what the EST group decided for it and what happened since, newest first.

For the kommun's coordinators: it names actions, organisations and the people who followed them
up, as the meeting view does. Loaded with a fixed number of queries, whatever the number of
actions.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from estapp.models import Action, ActionStatus, ActionUpdate, Commitment


class EventKind(enum.StrEnum):
    DECIDED = "beslutad"
    STATUS = "status"  # the status changed
    FOLLOWED_UP = "uppfoljd"  # a note or an outcome, status unchanged


@dataclass(frozen=True)
class Event:
    at: datetime  # local time
    kind: EventKind
    action: Action
    update: ActionUpdate | None = None

    @property
    def new_status(self) -> ActionStatus | None:
        return self.update.new_status if self.update is not None else None


@dataclass(frozen=True)
class Month:
    first_day: date
    events: tuple[Event, ...]


def actions_of(session: Session, commitment: Commitment) -> list[Action]:
    """The commitment's actions with what the timeline shows of them (three queries)."""
    return list(
        session.scalars(
            select(Action)
            .where(Action.commitment_id == commitment.id)
            .options(
                joinedload(Action.owner_organisation),
                joinedload(Action.meeting),
                selectinload(Action.updates).joinedload(ActionUpdate.by),
            )
            .order_by(Action.created_at, Action.id)
        ).unique()
    )


def _events_of(action: Action, zone: ZoneInfo) -> list[Event]:
    events = [Event(action.created_at.astimezone(zone), EventKind.DECIDED, action)]
    for update in action.updates:
        changed = update.old_status is not None and update.old_status != update.new_status
        if not changed and not (update.note or update.outcome):
            continue  # the record written when the action was decided
        kind = EventKind.STATUS if changed else EventKind.FOLLOWED_UP
        events.append(Event(update.at.astimezone(zone), kind, action, update))
    return events


def timeline_of(actions: list[Action], zone: ZoneInfo) -> tuple[Month, ...]:
    """Every event of ``actions``, newest first, grouped by calendar month."""
    events = sorted(
        (event for action in actions for event in _events_of(action, zone)),
        key=lambda event: (event.at, event.action.id),
        reverse=True,
    )
    return tuple(
        Month(first_day=first_day, events=tuple(grouped))
        for first_day, grouped in groupby(events, key=lambda e: e.at.date().replace(day=1))
    )
