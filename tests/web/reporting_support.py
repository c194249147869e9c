"""Shared helpers for the reporting page tests: weeks relative to today and form values."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from estapp.db import utcnow
from estapp.models import Area, Category, Municipality, Organisation, Place, User
from estapp.reporting import services
from estapp.weeks import IsoWeek

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SKOLA = "skola@rapport.example"
SOC = "soc@rapport.example"
POLIS = "polis@rapport.example"
COORDINATOR = "samordnare@ekbacka.example"
SJOVIK_COORDINATOR = "samordnare@sjovik.example"
VIEWER = "lasare@ekbacka.example"
ADMIN = "admin@estapp.example"


def this_week() -> IsoWeek:
    return IsoWeek.containing(utcnow(), STOCKHOLM)


def local_today() -> date:
    return utcnow().astimezone(STOCKHOLM).date()


def week_url(week: IsoWeek | None = None, kommun: str = "ekbacka") -> str:
    return f"/rapport/{kommun}/{week or this_week()}"


def fresh(db: Session) -> Session:
    """Forget what the test session has cached, to see what the app committed since."""
    db.rollback()
    db.expire_all()
    return db


def _one(db: Session, model, *where):
    fresh(db)
    found = db.scalar(select(model).where(*where))
    assert found is not None, f"no {model.__name__} matching {where}"
    return found


def area(db: Session, name: str, kommun: str = "Ekbacka") -> Area:
    return _one(db, Area, Area.name == name, Area.municipality.has(Municipality.name == kommun))


def place(db: Session, name: str, kommun: str = "Ekbacka") -> Place:
    return _one(
        db,
        Place,
        Place.name == name,
        Place.area.has(Area.municipality.has(Municipality.name == kommun)),
    )


def category(db: Session, name: str, kommun: str = "Ekbacka") -> Category:
    return _one(
        db, Category, Category.name == name, Category.municipality.has(Municipality.name == kommun)
    )


def observation_form(db: Session, day: date | None = None, **changes: object) -> dict[str, object]:
    """The fields a reporter fills in: klotter at Stora torget in Centrum, today, in the evening."""
    values: dict[str, object] = {
        "occurred_on": (day or local_today()).isoformat(),
        "time_of_day": "kvall",
        "exact_time": "",
        "area_id": area(db, "Centrum").id,
        "place_id": place(db, "Stora torget").id,
        "other_place": "",
        "category_id": category(db, "Klotter").id,
        "description": "Nytt klotter på väggen bakom busskuren.",
        "occurrences": "1",
        "concern": "medel",
    }
    values.update(changes)
    return values


def user(db: Session, email: str) -> User:
    return _one(db, User, User.email == email)


def add_observation(
    db: Session,
    email: str,
    week: IsoWeek,
    *,
    kommun: str = "Ekbacka",
    now: datetime | None = None,
    description: str = "Skadegörelse på lekplatsen.",
    category_name: str = "Skadegörelse",
    place_name: str | None = "Stora torget",
    other_place: str | None = None,
):
    """Save an observation through the services, as the reporter would, and commit."""
    reporter = user(db, email)
    municipality = _one(db, Municipality, Municipality.name == kommun)
    organisation = db.get(Organisation, reporter.organisation_id)
    now = now or utcnow()
    area_id = area(db, "Centrum", kommun).id
    place_id = place(db, place_name, kommun).id if place_name else None
    category_id = category(db, category_name, kommun).id
    reporter = user(db, email)  # the look-ups above start a fresh transaction each
    municipality = db.get(Municipality, municipality.id)
    organisation = db.get(Organisation, reporter.organisation_id)
    report = services.open_report(db, municipality, organisation, week, now=now)
    data = services.ObservationInput(
        occurred_on=week.monday + timedelta(days=1),
        time_of_day=None,
        exact_time=datetime(2026, 1, 1, 22, 15).time(),
        area_id=area_id,
        place_id=place_id,
        other_place=other_place,
        category_id=category_id,
        description=description,
        occurrences=2,
        concern=services.Concern.HIGH,
    )
    observation = services.save_observation(
        db,
        reporter,
        report,
        data,
        deadline=services.report_deadline(municipality, week, STOCKHOLM),
        now=now,
    )
    db.commit()
    return observation
