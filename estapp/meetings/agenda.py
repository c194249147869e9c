"""The meeting's agenda, built from data, and the first draft of its minutes.

The agenda has the week's lägesbild (the published version, else the latest draft) with its
flagged categories and hot spots; the open actions due by the meeting day or overdue; every
other open action (they carry over until done or cancelled); and the commitments of the
kommun's promise in force that have had no action activity for eight weeks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from estapp.lagesbild.display import DEVIATION_LABELS
from estapp.lagesbild.services import latest_version
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
from estapp.models import (
    OPEN_STATUSES,
    Action,
    ActionUpdate,
    Commitment,
    Meeting,
    Municipality,
    Place,
    Promise,
    PromiseStatus,
    SituationPicture,
)
from estapp.weeks import IsoWeek


@dataclass(frozen=True)
class AgendaItem:
    action: Action
    state: DueState


@dataclass
class Agenda:
    week: IsoWeek
    picture: SituationPicture | None
    flags: list[dict[str, Any]] = field(default_factory=list)
    hot_spots: list[dict[str, Any]] = field(default_factory=list)
    due: list[AgendaItem] = field(default_factory=list)  # due by the meeting day, or overdue
    later: list[AgendaItem] = field(default_factory=list)  # open, due after the meeting
    quiet: list[Commitment] = field(default_factory=list)
    promise: Promise | None = None

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
    return latest_version(session, municipality, week, published_only=True) or latest_version(
        session, municipality, week
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


def build_agenda(
    session: Session, municipality: Municipality, meeting: Meeting, *, today: date, now: datetime
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
    for action in action_services.open_actions(session, municipality):
        state = due_state(action.due_on, today=today, by=meeting_day)
        item = AgendaItem(action, state)
        (agenda.later if state is DueState.LATER else agenda.due).append(item)
    agenda.promise = promise_in_force(session, municipality, meeting.held_on)
    if agenda.promise is not None:
        commitments = {c.id: c for c in agenda.promise.commitments}
        quiet = quiet_commitments(
            list(commitments), last_activity(session, list(commitments)), now=now
        )
        agenda.quiet = [commitments[i] for i in quiet]
    return agenda


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
) -> MinutesInput:
    """What happened in the meeting, as plain data for the draft and the PDF.

    A page that has already loaded the meeting's follow-ups and new actions passes them in.
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
        open_left=open_action_count(session, municipality),
    )


def minutes_draft(
    session: Session,
    municipality: Municipality,
    meeting: Meeting,
    *,
    followed_up: list[ActionUpdate] | None = None,
    created: list[Action] | None = None,
) -> str:
    return draft_minutes(
        minutes_input(session, municipality, meeting, followed_up=followed_up, created=created)
    )
