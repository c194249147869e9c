"""The EST meeting: start it, note who attends, set next week's focus places, write and lock the
minutes (the protokoll, which then goes out as a PDF through the outbox).

Each function takes the session, the acting user and ``now``; it flushes and audits, never
commits. Refusals raise :class:`MeetingRefused` before anything is touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from estapp.admin.fields import MAX_ID
from estapp.audit import record
from estapp.meetings.rules import LOCKED, MINUTES_LENGTH, WHOLE_FORM, MeetingRefused, clean
from estapp.models import Area, Meeting, MeetingStatus, Municipality, Organisation, Place, User
from estapp.weeks import IsoWeek


def _audit(
    session: Session,
    actor: User | None,
    action: str,
    meeting: Meeting,
    details: dict[str, Any],
    *,
    now: datetime,
) -> None:
    session.flush()
    record(
        session,
        actor,
        action,
        "meeting",
        meeting.id,
        municipality_id=meeting.municipality_id,
        details={"week": str(IsoWeek.of(meeting.week_start)), **details},
        now=now,
    )


def _check_open(meeting: Meeting) -> None:
    if meeting.is_locked:
        raise MeetingRefused.at(WHOLE_FORM, LOCKED)


# --- finding ---------------------------------------------------------------------------------


def meeting_of(session: Session, municipality: Municipality, week: IsoWeek) -> Meeting | None:
    return session.scalar(
        select(Meeting).where(
            Meeting.municipality_id == municipality.id, Meeting.week_start == week.monday
        )
    )


def meetings_of(session: Session, municipality: Municipality) -> list[Meeting]:
    """The kommun's meetings, newest week first."""
    return list(
        session.scalars(
            select(Meeting)
            .where(Meeting.municipality_id == municipality.id)
            .order_by(Meeting.week_start.desc())
        )
    )


def previous_meeting(session: Session, meeting: Meeting) -> Meeting | None:
    return session.scalar(
        select(Meeting)
        .where(
            Meeting.municipality_id == meeting.municipality_id,
            Meeting.week_start < meeting.week_start,
        )
        .order_by(Meeting.week_start.desc())
        .limit(1)
    )


# --- changes ---------------------------------------------------------------------------------


def create_meeting(
    session: Session,
    actor: User | None,
    municipality: Municipality,
    week: IsoWeek,
    *,
    held_on: date,
    now: datetime,
) -> Meeting:
    """Start the kommun's meeting for a week (one per kommun and week; the same one again)."""
    existing = meeting_of(session, municipality, week)
    if existing is not None:
        return existing
    if week.monday > held_on:
        raise MeetingRefused.at(
            "week", _l("Ett möte kan inte gå igenom en vecka som inte har börjat.")
        )
    meeting = Meeting(
        municipality_id=municipality.id,
        week_start=week.monday,
        held_on=held_on,
        status=MeetingStatus.DRAFT,
        created_at=now,
        created_by_id=actor.id if actor else None,
        focus_place_ids=[],
    )
    session.add(meeting)
    _audit(session, actor, "meeting_created", meeting, {"held_on": held_on.isoformat()}, now=now)
    return meeting


def set_attendance(
    session: Session,
    actor: User | None,
    meeting: Meeting,
    organisation_ids: Sequence[int],
    *,
    now: datetime,
) -> bool:
    """Note which of the kommun's partners attend; True if that changed."""
    _check_open(meeting)
    wanted = set(organisation_ids)
    partners = {
        o.id: o
        for o in session.scalars(
            select(Organisation).where(
                Organisation.municipalities.any(Municipality.id == meeting.municipality_id)
            )
        )
    }
    if not wanted <= set(partners):
        raise MeetingRefused.at("attendees", _l("Välj bara aktörer som deltar i EST i kommunen."))
    before = sorted(o.name for o in meeting.attendees)
    meeting.attendees = sorted((partners[i] for i in wanted), key=lambda o: o.name)
    after = sorted(o.name for o in meeting.attendees)
    if before == after:
        return False
    _audit(session, actor, "meeting_attendance_set", meeting, {"attendees": after}, now=now)
    return True


def set_focus_places(
    session: Session,
    actor: User | None,
    meeting: Meeting,
    place_ids: Sequence[int],
    *,
    now: datetime,
) -> bool:
    """Decide next week's focus places among the kommun's places; True if that changed."""
    _check_open(meeting)
    wanted = sorted({i for i in place_ids if 0 < i <= MAX_ID})
    if len(wanted) != len(set(place_ids)):
        raise MeetingRefused.at("focus_places", _l("Välj fokusplatser bland kommunens platser."))
    places = {
        place.id: place.name
        for place in session.scalars(
            select(Place)
            .join(Area)
            .where(Place.id.in_(wanted), Area.municipality_id == meeting.municipality_id)
        )
    }
    if set(places) != set(wanted):
        raise MeetingRefused.at("focus_places", _l("Välj fokusplatser bland kommunens platser."))
    if sorted(meeting.focus_place_ids or []) == wanted:
        return False
    meeting.focus_place_ids = wanted
    _audit(
        session,
        actor,
        "meeting_focus_places_set",
        meeting,
        {"focus_places": sorted(places.values())},
        now=now,
    )
    return True


def save_minutes(
    session: Session,
    actor: User | None,
    meeting: Meeting,
    *,
    minutes: str,
    decisions: str,
    now: datetime,
) -> bool:
    """Store the edited minutes and decisions; refused once the protokoll is locked."""
    _check_open(meeting)
    minutes, decisions = clean(minutes), clean(decisions)
    for name, text in (("minutes", minutes), ("decisions", decisions)):
        if len(text) > MINUTES_LENGTH:
            raise MeetingRefused.at(name, _l("Skriv högst %(max)d tecken.", max=MINUTES_LENGTH))
    if (meeting.minutes, meeting.decisions) == (minutes, decisions):
        return False
    meeting.minutes, meeting.decisions = minutes, decisions
    _audit(
        session,
        actor,
        "meeting_minutes_saved",
        meeting,
        {"minutes_length": len(minutes), "decisions_length": len(decisions)},
        now=now,
    )
    return True


def lock_meeting(
    session: Session, actor: User | None, meeting: Meeting, *, draft: str, now: datetime
) -> None:
    """Lock the protokoll; minutes never written are taken from the draft. Mailing the PDF is
    :func:`estapp.meetings.protokoll.lock_and_send`'s part."""
    _check_open(meeting)
    if not meeting.minutes:
        meeting.minutes = draft
    meeting.status = MeetingStatus.LOCKED
    meeting.locked_at = now
    meeting.locked_by_id = actor.id if actor else None
    session.flush()
    session.expire(meeting, ["locked_by"])  # loaded again from the id just set
    _audit(
        session,
        actor,
        "meeting_locked",
        meeting,
        {"attendees": [o.name for o in meeting.attendees]},
        now=now,
    )
