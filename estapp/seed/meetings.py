"""Demo EST meetings: Ekbacka's meeting two weeks ago, locked, with the actions it decided and
one of them already under way, so "Mina åtgärder" and the next meeting's agenda have content."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from estapp.meetings import actions, agenda, services
from estapp.meetings.rules import ActionInput, FollowUpInput
from estapp.models import (
    ActionStatus,
    Area,
    Commitment,
    Municipality,
    Organisation,
    Place,
    Promise,
    User,
)
from estapp.weeks import IsoWeek

# (text, organisation name prefix, owner e-mail or None, days until due, place, commitment #)
DEMO_ACTIONS = (
    (
        "Sanera klottret runt Stora torget inom 24 timmar",
        "Ekbacka kommun, barn",
        None,
        5,
        "Stora torget",
        0,
    ),
    (
        "Extra kvällspatrull vid Resecentrum fredag och lördag",
        "Polisen",
        "polis@rapport.example",
        2,
        "Resecentrum",
        1,
    ),
    ("Byt till ljusare belysning i Garagen", "Ekbackahem", None, 14, "Garagen", None),
)


def create_demo_meetings(session: Session, now: datetime, *, tz: ZoneInfo) -> None:
    """Ekbacka's locked meeting two weeks back with three actions (never sends any mail)."""
    ekbacka = session.scalar(select(Municipality).where(Municipality.slug == "ekbacka"))
    coordinator = session.scalar(select(User).where(User.email == "samordnare@ekbacka.example"))
    if ekbacka is None or coordinator is None:
        return
    today = now.astimezone(tz).date()
    week = IsoWeek.containing(now, tz).shift(-2)
    meeting = services.create_meeting(
        session, coordinator, ekbacka, week, held_on=week.sunday + timedelta(days=1), now=now
    )
    organisations = list(session.scalars(select(Organisation).order_by(Organisation.name)))
    services.set_attendance(
        session,
        coordinator,
        meeting,
        [o.id for o in organisations if ekbacka in o.municipalities][:4],
        now=now,
    )
    commitments = list(
        session.scalars(
            select(Commitment)
            .join(Promise)
            .where(Promise.municipality_id == ekbacka.id)
            .order_by(Commitment.position)
        )
    )
    decided = []
    for text, org_prefix, owner, days, place_name, commitment in DEMO_ACTIONS:
        organisation = next(o for o in organisations if o.name.startswith(org_prefix))
        person = session.scalar(select(User).where(User.email == owner)) if owner else None
        place = session.scalar(
            select(Place)
            .join(Area)
            .where(Area.municipality_id == ekbacka.id, Place.name == place_name)
        )
        decided.append(
            actions.create_action(
                session,
                coordinator,
                ekbacka,
                ActionInput(
                    text=text,
                    owner_organisation_id=organisation.id,
                    owner_user_id=person.id if person else None,
                    due_on=today + timedelta(days=days),
                    place_id=place.id if place else None,
                    commitment_id=(
                        commitments[commitment].id
                        if commitment is not None and commitment < len(commitments)
                        else None
                    ),
                    prompted_by=place_name,
                ),
                meeting=meeting,
                today=today,
                now=now,
            )
        )
    draft = agenda.minutes_draft(session, ekbacka, meeting)
    services.lock_meeting(session, coordinator, meeting, draft=draft, now=now)
    actions.follow_up_action(
        session,
        coordinator,
        decided[-1],
        FollowUpInput(ActionStatus.IN_PROGRESS, note="Ekbackahem har beställt armaturer."),
        now=now,
    )
