"""Arrange reports and observations directly, for the lägesbild tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from estapp.models import (
    Area,
    Category,
    Municipality,
    Observation,
    Organisation,
    Place,
    ReportStatus,
    WeeklyReport,
)
from estapp.weeks import IsoWeek

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # Monday of week 48
WEEK = IsoWeek(2026, 47)


def kommun(db: Session, slug: str = "ekbacka") -> Municipality:
    return db.scalar(select(Municipality).where(Municipality.slug == slug))


def organisation(db: Session, prefix: str) -> Organisation:
    return db.scalar(select(Organisation).where(Organisation.name.startswith(prefix)))


def category(db: Session, municipality: Municipality, name: str) -> Category:
    return db.scalar(
        select(Category).where(Category.municipality_id == municipality.id, Category.name == name)
    )


def place(db: Session, municipality: Municipality, name: str) -> Place:
    return db.scalar(
        select(Place).join(Area).where(Area.municipality_id == municipality.id, Place.name == name)
    )


def report(
    db: Session,
    municipality: Municipality,
    org: Organisation,
    week: IsoWeek,
    observations: list[tuple[str, str, int]] = (),
    *,
    concern: str = "medel",
    time_of_day: str = "kvall",
    weekday: int = 5,
    late: bool = False,
) -> WeeklyReport:
    """A submitted report with observations given as (category, place, occurrences)."""
    existing = db.scalar(
        select(WeeklyReport).where(
            WeeklyReport.municipality_id == municipality.id,
            WeeklyReport.organisation_id == org.id,
            WeeklyReport.week_start == week.monday,
        )
    )
    submitted = datetime.combine(week.sunday, datetime.min.time(), tzinfo=UTC) + timedelta(hours=20)
    weekly = existing or WeeklyReport(
        municipality_id=municipality.id,
        organisation_id=org.id,
        week_start=week.monday,
        status=ReportStatus.SUBMITTED if observations else ReportStatus.NOTHING_TO_REPORT,
        submitted_at=submitted,
        late=late,
    )
    db.add(weekly)
    db.flush()
    for category_name, place_name, count in observations:
        spot = place(db, municipality, place_name)
        db.add(
            Observation(
                report_id=weekly.id,
                municipality_id=municipality.id,
                organisation_id=org.id,
                week_start=week.monday,
                occurred_on=week.monday + timedelta(days=weekday - 1),
                time_of_day=time_of_day,
                area_id=spot.area_id,
                place_id=spot.id,
                category_id=category(db, municipality, category_name).id,
                description="Beskrivning som aldrig får hamna i lägesbilden",
                occurrences=count,
                concern=concern,
            )
        )
    db.flush()
    return weekly


@contextmanager
def committed(db: Session) -> Iterator[Session]:
    """Run a block and commit it, whether or not the session had already begun."""
    yield db
    db.commit()
