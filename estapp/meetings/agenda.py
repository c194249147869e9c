"""The meeting's agenda, built from data, and the first draft of its minutes.

The agenda has the week's lägesbild (the published version, else the latest draft) with its
flagged categories and hot spots; the open actions due by the meeting day or overdue; every
other open action (they carry over until done or cancelled); and the commitments of the
kommun's promise in force that have had no action activity for eight weeks.

A large city has hundreds of open actions, so the agenda reads them as plain rows, and only the
page of overdue and due actions that the meeting follows up now as whole actions for their cards.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, NamedTuple, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from estapp.admin.fields import MAX_ID
from estapp.admin.queries import Page
from estapp.lagesbild.display import DEVIATION_LABELS
from estapp.meetings import actions as action_services
from estapp.meetings.domain import (
    Decided,
    DueState,
    FollowedUp,
    MinutesInput,
    draft_minutes,
    due_state,
    quiet_commitments,
)
from estapp.meetings.labels import due_text, status_label
from estapp.models import (
    OPEN_STATUSES,
    Action,
    ActionStatus,
    ActionUpdate,
    Area,
    Commitment,
    Meeting,
    Municipality,
    Organisation,
    PictureStatus,
    Place,
    Promise,
    PromiseStatus,
    SituationPicture,
    User,
)
from estapp.weeks import IsoWeek

DUE_PER_PAGE = 10  # the cards, each with its follow-up form, that one page of the agenda shows

# What an action's card shows besides the action itself, read in the same query: the names
# and the commitment's text (not, say, the area's map polygon).
_CARD_DETAILS = (
    joinedload(Action.owner_organisation).load_only(Organisation.name),
    joinedload(Action.owner_user).load_only(User.name),
    joinedload(Action.commitment).load_only(Commitment.text),
    joinedload(Action.place).load_only(Place.name),
    joinedload(Action.area).load_only(Area.name),
)


@dataclass(frozen=True)
class ActionRow:
    """An open action as the agenda's table lists it: its columns, not an ORM object."""

    id: int
    text: str
    owner: str  # the owner organisation's name
    due_on: date
    status: ActionStatus
    commitment: str  # the commitment's text, or "" for none

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TableRow(NamedTuple):
    """An open action as the agenda's table shows it, in words."""

    id: int
    text: str
    owner: str
    due: str
    status: str
    commitment: str  # "" for none


ItemAction = TypeVar("ItemAction", Action, ActionRow)


@dataclass(frozen=True)
class AgendaItem(Generic[ItemAction]):
    action: ItemAction  # a whole action for a card, a row for the table
    state: DueState


@dataclass
class Agenda:
    week: IsoWeek
    picture: SituationPicture | None
    flags: list[dict[str, Any]] = field(default_factory=list)
    hot_spots: list[dict[str, Any]] = field(default_factory=list)
    # One page of the open actions due by the meeting day or overdue, most overdue first.
    due_page: Page[AgendaItem[Action]] = field(default_factory=lambda: Page([], 1, DUE_PER_PAGE, 0))
    later: list[AgendaItem[ActionRow]] = field(default_factory=list)  # due after the meeting
    quiet: list[Commitment] = field(default_factory=list)
    promise: Promise | None = None

    @property
    def due(self) -> list[AgendaItem[Action]]:
        """The page's due and overdue actions, whole, for their cards."""
        return self.due_page.items

    @property
    def open_count(self) -> int:
        return self.due_page.total + len(self.later)

    @property
    def prompts(self) -> list[str]:
        """What an action may say it came from: the flagged categories, then the hot spots."""
        labels = [flag["label"] for flag in self.flags]
        labels += [f"{spot['label']} ({spot['area']})" for spot in self.hot_spots]
        return list(dict.fromkeys(labels))


def week_picture(
    session: Session, municipality: Municipality, week: IsoWeek
) -> SituationPicture | None:
    """The week's published lägesbild, else its latest draft."""
    return session.scalar(
        select(SituationPicture)
        .where(
            SituationPicture.municipality_id == municipality.id,
            SituationPicture.week_start == week.monday,
        )
        .order_by(
            (SituationPicture.status == PictureStatus.PUBLISHED).desc(),
            SituationPicture.version.desc(),
        )
        .limit(1)
    )


def promise_in_force(session: Session, municipality: Municipality, day: date) -> Promise | None:
    return session.scalar(
        select(Promise)
        .where(
            Promise.municipality_id == municipality.id,
            Promise.status == PromiseStatus.ACTIVE,
            Promise.period_start <= day.year,
            Promise.period_end >= day.year,
        )
        .order_by(Promise.period_start.desc(), Promise.id.desc())
        .limit(1)
    )


def last_activity(session: Session, commitment_ids: list[int]) -> dict[int, datetime]:
    """When an action tied to each commitment was last created or followed up."""
    latest = dict(
        session.execute(
            select(Action.commitment_id, func.max(ActionUpdate.at))
            .join(ActionUpdate, ActionUpdate.action_id == Action.id)
            .where(Action.commitment_id.in_(commitment_ids))
            .group_by(Action.commitment_id)
        ).all()
    )
    return {key: value for key, value in latest.items() if key is not None}


def open_rows(session: Session, municipality: Municipality) -> list[ActionRow]:
    """Every open action of the kommun as a row, soonest due first."""
    found = session.execute(
        select(
            Action.id,
            Action.text,
            Organisation.name,
            Action.due_on,
            Action.status,
            func.coalesce(Commitment.text, ""),
        )
        .join(Organisation, Organisation.id == Action.owner_organisation_id)
        .outerjoin(Commitment, Commitment.id == Action.commitment_id)
        .where(Action.municipality_id == municipality.id, Action.status.in_(OPEN_STATUSES))
        .order_by(Action.due_on, Action.id)
    )
    return [ActionRow(*row) for row in found]


def card_actions(session: Session, municipality: Municipality, ids: Sequence[int]) -> list[Action]:
    """The kommun's actions with these ids, with what their cards show, in the order given; an
    id of another kommun's action, or a guessed one, gives nothing."""
    wanted = [number for number in ids if 0 < number <= MAX_ID]
    if not wanted:
        return []
    found = session.scalars(
        select(Action)
        .where(Action.municipality_id == municipality.id, Action.id.in_(wanted))
        .options(*_CARD_DETAILS)
    )
    by_id = {action.id: action for action in found}
    return [by_id[number] for number in wanted if number in by_id]


def _due_page(
    session: Session, municipality: Municipality, due: list[AgendaItem[ActionRow]], number: int
) -> Page[AgendaItem[Action]]:
    """Page ``number`` of the due items, as whole actions (a number out of range shows the
    nearest page)."""
    pages = max(1, math.ceil(len(due) / DUE_PER_PAGE))
    number = min(max(1, number), pages)
    shown = due[(number - 1) * DUE_PER_PAGE : number * DUE_PER_PAGE]
    actions = card_actions(session, municipality, [item.action.id for item in shown])
    states = {item.action.id: item.state for item in shown}
    items = [AgendaItem(action, states[action.id]) for action in actions]
    return Page(items=items, number=number, per_page=DUE_PER_PAGE, total=len(due))


def build_agenda(
    session: Session,
    municipality: Municipality,
    meeting: Meeting,
    *,
    today: date,
    now: datetime,
    due_page: int = 1,
) -> Agenda:
    week = IsoWeek.of(meeting.week_start)
    picture = week_picture(session, municipality, week)
    agenda = Agenda(week=week, picture=picture)
    if picture is not None:
        agenda.flags = [
            {**row, "deviation_text": DEVIATION_LABELS[row["deviation"]]}
            for row in picture.payload["by_category"]
            if row["deviation"] != "normal"
        ]
        agenda.hot_spots = list(picture.payload["hot_spot_places"])
    meeting_day = max(meeting.held_on, today)
    due: list[AgendaItem[ActionRow]] = []
    for row in open_rows(session, municipality):
        state = due_state(row.due_on, today=today, by=meeting_day)
        (agenda.later if state is DueState.LATER else due).append(AgendaItem(row, state))
    agenda.due_page = _due_page(session, municipality, due, due_page)
    agenda.promise = promise_in_force(session, municipality, meeting.held_on)
    if agenda.promise is not None:
        commitments = {c.id: c for c in agenda.promise.commitments}
        quiet = quiet_commitments(
            list(commitments), last_activity(session, list(commitments)), now=now
        )
        agenda.quiet = [commitments[i] for i in quiet]
    return agenda


def table_rows(agenda: Agenda, today: date) -> list[TableRow]:
    """The table of the actions due after the meeting. Each due date and status is put in
    words once: a large city's hundreds of actions share a few dozen of them."""
    statuses = {status: status_label(status) for status in ActionStatus}
    due: dict[date, str] = {}
    rows = []
    for item in agenda.later:
        row = item.action
        if row.due_on not in due:
            due[row.due_on] = due_text(row, today)
        rows.append(
            TableRow(
                row.id, row.text, row.owner, due[row.due_on], statuses[row.status], row.commitment
            )
        )
    return rows


def focus_place_names(session: Session, meeting: Meeting) -> list[str]:
    if not meeting.focus_place_ids:
        return []
    return list(
        session.scalars(
            select(Place.name).where(Place.id.in_(meeting.focus_place_ids)).order_by(Place.name)
        )
    )


def open_action_count(session: Session, municipality: Municipality) -> int:
    return (
        session.scalar(
            select(func.count(Action.id)).where(
                Action.municipality_id == municipality.id, Action.status.in_(OPEN_STATUSES)
            )
        )
        or 0
    )


def minutes_input(
    session: Session,
    municipality: Municipality,
    meeting: Meeting,
    *,
    followed_up: list[ActionUpdate] | None = None,
    created: list[Action] | None = None,
    open_left: int | None = None,
) -> MinutesInput:
    """What happened in the meeting, as plain data for the draft and the PDF.

    A page that has already loaded the meeting's follow-ups, new actions and open actions
    passes them in.
    """
    if followed_up is None:
        followed_up = action_services.followed_up_in(session, meeting)
    if created is None:
        created = action_services.created_in(session, meeting)
    followed = [
        FollowedUp(
            text=update.action.text,
            owner=update.action.owner_organisation.name,
            old_status=update.old_status.value if update.old_status else None,
            new_status=update.new_status.value,
            note=update.note,
            outcome=update.outcome,
        )
        for update in followed_up
    ]
    decided = [
        Decided(
            text=action.text,
            owner=action.owner_organisation.name,
            person=action.owner_user.name if action.owner_user else "",
            due_on=action.due_on,
            where=action.where,
            commitment=action.commitment.text if action.commitment else "",
            prompted_by=action.prompted_by,
        )
        for action in created
    ]
    return MinutesInput(
        kommun=municipality.name,
        week_label=IsoWeek.of(meeting.week_start).label(),
        held_on=meeting.held_on,
        attendees=[o.name for o in meeting.attendees],
        followed_up=followed,
        decided=decided,
        focus_places=focus_place_names(session, meeting),
        open_left=open_action_count(session, municipality) if open_left is None else open_left,
    )


def minutes_draft(
    session: Session,
    municipality: Municipality,
    meeting: Meeting,
    *,
    followed_up: list[ActionUpdate] | None = None,
    created: list[Action] | None = None,
    open_left: int | None = None,
) -> str:
    return draft_minutes(
        minutes_input(
            session,
            municipality,
            meeting,
            followed_up=followed_up,
            created=created,
            open_left=open_left,
        )
    )
