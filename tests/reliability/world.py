"""Two kommuner full of objects for the abuse tests: on top of the demo, each kommun gets a
week's observations by two partners, a published lägesbild, an EST meeting with an action tied
to a commitment, a distribution entry and a queued mail. Every object carries a canary text that
must never appear on a page of a user who may not see the object."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from estapp.admin.places import create_place
from estapp.auth.access import municipality_ids
from estapp.config import Settings
from estapp.db import utcnow
from estapp.distribution.outbox import queue_message
from estapp.distribution.recipients import Document, add_external
from estapp.lagesbild import services as lagesbild
from estapp.meetings import actions
from estapp.meetings import services as meetings
from estapp.meetings.rules import ActionInput
from estapp.models import (
    Area,
    Category,
    CompileReason,
    Concern,
    Municipality,
    Organisation,
    Promise,
    TimeOfDay,
    User,
)
from estapp.reporting import services as reporting
from estapp.reporting.services import ObservationInput
from estapp.weeks import IsoWeek

TZ = ZoneInfo("Europe/Stockholm")
GUESSED_ID = 987_654_321  # no object has it
GUESSED_SLUG = "kommun-som-inte-finns"

ADMIN = "admin@estapp.example"
COORDINATOR = {"ekbacka": "samordnare@ekbacka.example", "sjovik": "samordnare@sjovik.example"}
VIEWER = "lasare@ekbacka.example"
# Reporters of two partners in the same kommun: what one reports the other may not see.
REPORTER_A = "skola@rapport.example"
REPORTER_B = "ekhem@rapport.example"
# (kommun, reporter) whose observation each kommun gets; the reporter's partner owns it.
OBSERVERS = {
    "ekbacka": (REPORTER_A, REPORTER_B),
    "sjovik": ("fritid@rapport.example", "sjobo@rapport.example"),
}


def canary(*parts: str) -> str:
    """A text no page shows unless it shows the object that carries it."""
    return "kanariezq-" + "-".join(parts)


@dataclass
class KommunObjects:
    """One kommun's objects, by the URL argument that names each."""

    slug: str
    ids: dict[str, int] = field(default_factory=dict)
    observation_by_reporter: dict[str, int] = field(default_factory=dict)
    canaries: set[str] = field(default_factory=set)
    observation_canaries: dict[str, str] = field(default_factory=dict)


@dataclass
class World:
    week: IsoWeek
    kommuner: dict[str, KommunObjects]
    user_kommuner: dict[str, set[str]]  # e-mail -> slugs of the kommuner the user belongs to

    def other(self, slug: str) -> KommunObjects:
        [other] = [k for name, k in self.kommuner.items() if name != slug]
        return other


def _user(session: Session, email: str) -> User:
    return session.scalars(select(User).where(User.email == email)).one()


def _first(session: Session, model: type, *where: object) -> object:
    return session.scalars(select(model).where(*where).order_by(model.id)).first()


def _only_partner_of(session: Session, municipality: Municipality) -> Organisation:
    """A partner organisation that takes part in this kommun and in no other."""
    for organisation in session.scalars(select(Organisation).order_by(Organisation.id)):
        if [m.id for m in organisation.municipalities] == [municipality.id]:
            return organisation
    raise LookupError(f"no partner of {municipality.slug} alone")


def _observe(
    session: Session,
    reporter: User,
    municipality: Municipality,
    week: IsoWeek,
    area: Area,
    category: Category,
    text: str,
) -> int:
    now = utcnow()
    report = reporting.open_report(session, municipality, reporter.organisation, week, now=now)
    observation = reporting.save_observation(
        session,
        reporter,
        report,
        ObservationInput(
            occurred_on=week.monday + timedelta(days=2),
            time_of_day=TimeOfDay.EVENING,
            exact_time=None,
            area_id=area.id,
            place_id=None,
            other_place="vid busshållplatsen",
            category_id=category.id,
            description=f"Klotter på väggen ({text}).",
            occurrences=3,
            concern=Concern.MEDIUM,
            accept_name_warning=True,
        ),
        deadline=reporting.report_deadline(municipality, week, TZ),
        now=now,
    )
    return observation.id


def _fill_kommun(
    session: Session, settings: Settings, municipality: Municipality, week: IsoWeek
) -> KommunObjects:
    now = utcnow()
    today = now.astimezone(TZ).date()
    slug = municipality.slug
    found = KommunObjects(slug)
    coordinator = _user(session, COORDINATOR[slug])
    area = _first(session, Area, Area.municipality_id == municipality.id)
    category = _first(session, Category, Category.municipality_id == municipality.id)
    place = create_place(session, None, area, canary(slug, "plats"), now=now)
    for email in OBSERVERS[slug]:
        text = canary(slug, email.split("@")[0], "iakttagelse")
        observation_id = _observe(
            session, _user(session, email), municipality, week, area, category, text
        )
        found.observation_by_reporter[email] = observation_id
        found.observation_canaries[email] = text
    picture, _ = lagesbild.compile_picture(
        session, municipality, week, reason=CompileReason.MANUAL, actor=coordinator, now=now, tz=TZ
    )
    lagesbild.save_assessment(
        session,
        picture,
        assessment=canary(slug, "bedomning"),
        notable_events="",
        focus_place_ids=[],
        actor=coordinator,
        now=now,
    )
    lagesbild.publish_picture(session, picture, actor=coordinator, now=now)
    meeting = meetings.create_meeting(
        session, coordinator, municipality, week, held_on=today, now=now
    )
    meetings.save_minutes(
        session, coordinator, meeting, minutes=canary(slug, "protokoll"), decisions="", now=now
    )
    promise = _first(session, Promise, Promise.municipality_id == municipality.id)
    commitment = promise.commitments[0]
    owner = _only_partner_of(session, municipality)
    action = actions.create_action(
        session,
        coordinator,
        municipality,
        ActionInput(
            text=canary(slug, "atgard"),
            owner_organisation_id=owner.id,
            due_on=today + timedelta(days=7),
            place_id=place.id,
            commitment_id=commitment.id,
        ),
        meeting=meeting,
        today=today,
        now=now,
    )
    entry = add_external(
        session,
        coordinator,
        municipality,
        email=f"mottagare@{slug}.example",
        name=canary(slug, "mottagare"),
        documents={Document.LAGESBILD},
        now=now,
    )
    message = queue_message(
        session,
        document_key=f"test:{slug}:{week}",
        recipient=f"mottagare@{slug}.example",
        subject=canary(slug, "utskick"),
        text="Hej!",
        settings=settings,
        municipality=municipality,
        now=now,
    )
    found.ids = {
        "municipality_id": municipality.id,
        "area_id": area.id,
        "place_id": place.id,
        "category_id": category.id,
        "organisation_id": owner.id,
        "user_id": coordinator.id,
        "observation_id": next(iter(found.observation_by_reporter.values())),
        "action_id": action.id,
        "promise_id": promise.id,
        "commitment_id": commitment.id,
        "entry_id": entry.id,
        "message_id": message.id,
    }
    found.canaries = {
        canary(slug, "plats"),
        canary(slug, "bedomning"),
        canary(slug, "protokoll"),
        canary(slug, "atgard"),
        canary(slug, "mottagare"),
        canary(slug, "utskick"),
        *found.observation_canaries.values(),
    }
    return found


def build_world(session: Session, settings: Settings) -> World:
    """Fill both demo kommuner (the demo must exist) in one transaction."""
    week = IsoWeek.containing(utcnow(), TZ).shift(-1)
    with session.begin():
        kommuner = {
            m.slug: _fill_kommun(session, settings, m, week)
            for m in session.scalars(select(Municipality).order_by(Municipality.slug))
        }
        by_id = {k.ids["municipality_id"]: k.slug for k in kommuner.values()}
        user_kommuner = {
            user.email: {by_id[i] for i in municipality_ids(user)}
            for user in session.scalars(select(User))
        }
    return World(week, kommuner, user_kommuner)
