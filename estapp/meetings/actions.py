"""Actions (åtgärder): decide one, follow it up, and find the ones a user works with.

Every follow-up is kept as an ``ActionUpdate`` row (when, who, old and new status, note), the
history from which progress per commitment will be computed; an action stays open, and so on
every meeting's agenda, until it is genomförd or inställd.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from estapp.admin.fields import MAX_ID
from estapp.audit import record
from estapp.auth.access import coordinates
from estapp.meetings.rules import (
    LOCKED,
    NOT_OWNER,
    WHOLE_FORM,
    ActionInput,
    FollowUpInput,
    MeetingRefused,
    checked_action,
    checked_follow_up,
)
from estapp.models import (
    OPEN_STATUSES,
    Action,
    ActionStatus,
    ActionUpdate,
    Meeting,
    Municipality,
    Role,
    User,
)
from estapp.promises.changes import shown


def may_follow_up(user: User, action: Action) -> bool:
    """The owner organisation's users, the kommun's coordinators, and admins."""
    if user.organisation_id is not None and user.organisation_id == action.owner_organisation_id:
        return True
    return coordinates(user, action.municipality_id)


def _audit(
    session: Session, actor: User | None, name: str, action: Action, details: dict, *, now: datetime
) -> None:
    session.flush()
    record(
        session,
        actor,
        name,
        "action",
        action.id,
        municipality_id=action.municipality_id,
        details={"text": shown(action.text), **details},
        now=now,
    )


def create_action(
    session: Session,
    actor: User | None,
    municipality: Municipality,
    data: ActionInput,
    *,
    meeting: Meeting | None = None,
    today: date,
    now: datetime,
) -> Action:
    """Decide an action for the kommun (in a meeting, or between meetings)."""
    if meeting is not None and meeting.is_locked:
        raise MeetingRefused.at(WHOLE_FORM, LOCKED)
    clean = checked_action(session, municipality, data, today=today)
    action = Action(
        municipality_id=municipality.id,
        meeting_id=meeting.id if meeting else None,
        text=clean.text,
        owner_organisation=clean.organisation,
        owner_user=clean.person,
        due_on=clean.due_on,
        area=clean.area,
        place=clean.place,
        commitment=clean.commitment,
        prompted_by=clean.prompted_by,
        status=ActionStatus.PLANNED,
        note="",
        outcome="",
        created_at=now,
        updated_at=now,
        created_by_id=actor.id if actor else None,
    )
    action.updates.append(
        ActionUpdate(
            meeting_id=meeting.id if meeting else None,
            at=now,
            by_id=actor.id if actor else None,
            old_status=None,
            new_status=ActionStatus.PLANNED,
        )
    )
    session.add(action)
    _audit(
        session,
        actor,
        "action_created",
        action,
        {
            "owner": clean.organisation.name,
            "due_on": clean.due_on.isoformat(),
            "commitment_id": clean.commitment.id if clean.commitment else None,
        },
        now=now,
    )
    return action


def follow_up_action(
    session: Session,
    actor: User,
    action: Action,
    data: FollowUpInput,
    *,
    meeting: Meeting | None = None,
    now: datetime,
) -> ActionUpdate:
    """Change an action's status, note and outcome; refused to anyone but its owner and the
    kommun's coordinators, and in a meeting whose protokoll is locked."""
    if not may_follow_up(actor, action):
        raise MeetingRefused.at(WHOLE_FORM, NOT_OWNER)
    if meeting is not None and meeting.is_locked:
        raise MeetingRefused.at(WHOLE_FORM, LOCKED)
    clean = checked_follow_up(data)
    assert clean.status is not None
    if clean.status == action.status and not clean.note and clean.outcome == action.outcome:
        raise MeetingRefused.at(
            "note", _l("Ändra status eller skriv en anteckning; inget har sparats.")
        )
    old = action.status
    update = ActionUpdate(
        meeting_id=meeting.id if meeting else None,
        at=now,
        by_id=actor.id,
        old_status=old,
        new_status=clean.status,
        note=clean.note,
        outcome=clean.outcome,
    )
    action.updates.append(update)
    action.status = clean.status
    if clean.note:
        action.note = clean.note
    action.outcome = clean.outcome
    action.updated_at = now
    if clean.status == ActionStatus.DONE:
        action.completed_at = action.completed_at if old == ActionStatus.DONE else now
    else:
        action.completed_at = None
    _audit(
        session,
        actor,
        "action_followed_up",
        action,
        {"status": [old.value, clean.status.value], "note": shown(clean.note)},
        now=now,
    )
    return update


# --- finding ---------------------------------------------------------------------------------


def _with_details(query: Select[tuple[Action]]) -> Select[tuple[Action]]:
    return query.options(
        selectinload(Action.owner_organisation),
        selectinload(Action.owner_user),
        selectinload(Action.commitment),
        selectinload(Action.place),
        selectinload(Action.area),
        selectinload(Action.municipality),
    ).order_by(Action.due_on, Action.id)


def action_in(session: Session, municipality: Municipality, action_id: int) -> Action | None:
    """The kommun's action with this id; another kommun's is as good as none."""
    if not 0 < action_id <= MAX_ID:
        return None
    action = session.get(Action, action_id)
    return action if action is not None and action.municipality_id == municipality.id else None


def open_actions(session: Session, municipality: Municipality) -> list[Action]:
    """Every open action of the kommun, soonest due first: they carry over meeting to meeting."""
    return list(
        session.scalars(
            _with_details(
                select(Action).where(
                    Action.municipality_id == municipality.id, Action.status.in_(OPEN_STATUSES)
                )
            )
        )
    )


def actions_for(
    session: Session, user: User, *, statuses: tuple[ActionStatus, ...] | None
) -> list[Action]:
    """ "Mina åtgärder": a reporter's organisation's actions, a coordinator's kommuner's."""
    query = select(Action)
    if user.role == Role.REPORTER:
        if user.organisation_id is None:
            return []
        query = query.where(Action.owner_organisation_id == user.organisation_id)
    elif user.role == Role.COORDINATOR or user.municipalities:
        query = query.where(Action.municipality_id.in_([m.id for m in user.municipalities]))
    elif user.role != Role.ADMIN:
        return []
    if statuses:
        query = query.where(Action.status.in_(statuses))
    return list(session.scalars(_with_details(query)))


def followed_up_in(session: Session, meeting: Meeting) -> list[ActionUpdate]:
    """The follow-ups made in the meeting (not the creation of its new actions), in order."""
    return list(
        session.scalars(
            select(ActionUpdate)
            .where(ActionUpdate.meeting_id == meeting.id, ActionUpdate.old_status.is_not(None))
            .options(selectinload(ActionUpdate.action).selectinload(Action.owner_organisation))
            .order_by(ActionUpdate.at, ActionUpdate.id)
        )
    )


def created_in(session: Session, meeting: Meeting) -> list[Action]:
    return list(
        session.scalars(_with_details(select(Action).where(Action.meeting_id == meeting.id)))
    )
