"""Demo EST meetings: Ekbacka's meeting two weeks ago, locked, with the actions it decided and
one of them already under way, so "Mina åtgärder" and the next meeting's agenda have content;
and actions done earlier in the year, so the promise's progress has a history."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from estapp.meetings import actions, agenda, services
from estapp.meetings.rules import ActionInput, FollowUpInput
from estapp.models import (
    Action,
    ActionStatus,
    ActionUpdate,
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

# Earlier in the year, so that progress, the dashboard and the public page have a history:
# (text, organisation name prefix, commitment #, decided days ago, days given, done after days
# or None when cancelled, outcome). Those decided before the promise's year are left out.
DEMO_HISTORY = (
    (
        "Kvällsvandring med fältassistenter i centrum",
        "Polisen",
        1,
        250,
        14,
        10,
        "Lugnt; två samtal med ungdomar vid busshållplatsen.",
    ),
    (
        "Sanera klottret på gångbron vid Resecentrum",
        "Ekbacka kommun, barn",
        2,
        230,
        7,
        2,
        "Sanerat samma vecka.",
    ),
    (
        "Klottersanering på Ekbackahems hus i Norrmalm",
        "Ekbackahem",
        2,
        200,
        7,
        12,
        "Klart, men efter slutdatum: färgen fick beställas.",
    ),
    (
        "Trygghetsvandring i Norrmalm med föreningarna",
        "Ekbackahem",
        3,
        180,
        30,
        21,
        "Tolv platser med trasig eller svag belysning noterades.",
    ),
    (
        "Byt trasig belysning efter trygghetsvandringen",
        "Ekbackahem",
        3,
        150,
        30,
        25,
        "Alla tolv armaturer är bytta.",
    ),
    (
        "Extra patrull vid Stora torget under skolavslutningen",
        "Polisen",
        1,
        170,
        5,
        4,
        "Inga ordningsstörningar.",
    ),
    (
        "Informera skolorna om lägesbilden inför sommarlovet",
        "Ekbacka kommun, barn",
        0,
        160,
        14,
        9,
        "Rektorerna fick lägesbilden på sitt möte.",
    ),
    ("Väktarrond i Garagen nattetid", "Tryggvakt", 0, 120, 21, None, ""),
    (
        "Kvällsvandring i Sjöängen",
        "Polisen",
        1,
        90,
        14,
        16,
        "Två dagar sent på grund av sjukdom; lugnt i området.",
    ),
    (
        "Sanera klotter i gångtunneln under Storgatan",
        "Ekbacka kommun, barn",
        2,
        60,
        7,
        3,
        "Sanerat.",
    ),
    (
        "Trygghetsvandring i Sjöängen med föreningarna",
        "Ekbackahem",
        3,
        45,
        30,
        28,
        "Buskage vid lekplatsen ska beskäras; lämnat till gatuenheten.",
    ),
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
    _earlier_actions(session, coordinator, ekbacka, commitments, organisations, today, tz)
    draft = agenda.minutes_draft(session, ekbacka, meeting)
    services.lock_meeting(session, coordinator, meeting, draft=draft, now=now)
    actions.follow_up_action(
        session,
        coordinator,
        decided[-1],
        FollowUpInput(ActionStatus.IN_PROGRESS, note="Ekbackahem har beställt armaturer."),
        now=now,
    )


def _earlier_actions(
    session: Session,
    coordinator: User,
    kommun: Municipality,
    commitments: list[Commitment],
    organisations: list[Organisation],
    today: date,
    tz: ZoneInfo,
) -> None:
    """Actions decided and followed up earlier in the year, stored as they would have been."""

    def at(day: date) -> datetime:
        return datetime.combine(day, time(10), tzinfo=tz)

    for text, org_prefix, number, ago, given, done_after, outcome in DEMO_HISTORY:
        decided = today - timedelta(days=ago)
        if decided.year != today.year or number >= len(commitments):
            continue
        finished = decided + timedelta(days=done_after) if done_after is not None else None
        status = ActionStatus.DONE if finished else ActionStatus.CANCELLED
        closed = finished or decided + timedelta(days=given // 2)
        session.add(
            Action(
                municipality_id=kommun.id,
                text=text,
                owner_organisation=next(o for o in organisations if o.name.startswith(org_prefix)),
                due_on=decided + timedelta(days=given),
                commitment_id=commitments[number].id,
                status=status,
                outcome=outcome,
                completed_at=at(finished) if finished else None,
                created_at=at(decided),
                created_by_id=coordinator.id,
                updated_at=at(closed),
                updates=[
                    ActionUpdate(
                        at=at(decided), by_id=coordinator.id, new_status=ActionStatus.PLANNED
                    ),
                    ActionUpdate(
                        at=at(closed),
                        by_id=coordinator.id,
                        old_status=ActionStatus.PLANNED,
                        new_status=status,
                        outcome=outcome,
                        note="" if finished else "Ersatt av en fast rond i bostadsbolagets regi.",
                    ),
                ],
            )
        )
