"""The coordinator's side of weekly reporting: who has reported, the observations, corrections.

Like the other services: take the session and ``now``, flush and audit, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from estapp.admin.services import create_place
from estapp.audit import record
from estapp.models import (
    Area,
    Category,
    Municipality,
    Observation,
    Organisation,
    Place,
    SituationPicture,
    User,
    WeeklyReport,
)
from estapp.reporting.domain import PartnerStatus, partner_status
from estapp.reporting.services import ObservationRejected, report_deadline
from estapp.retention.periods import first_kept_week
from estapp.retention.services import first_kept_for
from estapp.weeks import IsoWeek

REPORTED = (PartnerStatus.SUBMITTED, PartnerStatus.NOTHING, PartnerStatus.LATE)


def default_board_week(municipality: Municipality, *, now: datetime, tz: ZoneInfo) -> IsoWeek:
    """The latest week whose deadline has passed: the week the next EST-möte looks at."""
    week = IsoWeek.containing(now, tz)
    for _ in range(3):  # the deadline falls within the following week
        if report_deadline(municipality, week, tz) <= now:
            return week
        week = week.shift(-1)
    return IsoWeek.containing(now, tz)


def observation_counts(session: Session, report_ids: list[int]) -> dict[int, int]:
    """The number of observations of each report."""
    if not report_ids:
        return {}
    rows = session.execute(
        select(Observation.report_id, func.count(Observation.id))
        .where(Observation.report_id.in_(report_ids))
        .group_by(Observation.report_id)
    )
    return {report_id: count for report_id, count in rows}


def report_observations(session: Session, report: WeeklyReport | None) -> list[Observation]:
    """The report's observations as its page lists them, with their area, place and category
    loaded together rather than one query per row."""
    if report is None:
        return []
    return list(
        session.scalars(
            select(Observation)
            .where(Observation.report_id == report.id)
            .options(
                selectinload(Observation.area).defer(Area.geojson),  # the map is not listed
                selectinload(Observation.place),
                selectinload(Observation.category),
            )
            .order_by(Observation.occurred_on, Observation.id)
        )
    )


@dataclass(frozen=True)
class GallradWeek:
    """What gallring has deleted of one week: every observation, or those of some categories."""

    whole: bool
    months: int  # the kommun's period
    categories: tuple[str, ...] = ()  # when not whole: the categories whose observations went


@dataclass(frozen=True)
class Gallring:
    """Where the kommun's retention periods stand today, so a week whose observations have
    been deleted is not shown as a week in which nothing was reported."""

    months: int
    first_kept: IsoWeek  # by the kommun's own period
    categories: tuple[tuple[str, IsoWeek], ...]  # each category's name and first week kept

    @property
    def own_periods(self) -> bool:
        """Some category keeps its observations for a period of its own."""
        return any(first_kept != self.first_kept for _name, first_kept in self.categories)

    def of(self, week: IsoWeek) -> GallradWeek | None:
        """What gallring has deleted of the week; None if it has deleted nothing."""
        limits = [first_kept for _name, first_kept in self.categories] or [self.first_kept]
        if all(week < first_kept for first_kept in limits):
            return GallradWeek(whole=True, months=self.months)
        gone = tuple(name for name, first_kept in self.categories if week < first_kept)
        return GallradWeek(whole=False, months=self.months, categories=gone) if gone else None


def gallring_for(municipality: Municipality, *, today: date) -> Gallring:
    """The kommun's retention limits today, by the same cut-off as the nightly gallring."""
    categories = sorted(municipality.categories, key=lambda c: (c.position, c.name))
    return Gallring(
        months=municipality.retention_months,
        first_kept=first_kept_week(today, municipality.retention_months),
        categories=tuple((c.name, first_kept_for(c, today=today)) for c in categories),
    )


@dataclass(frozen=True)
class PartnerRow:
    organisation: Organisation
    report: WeeklyReport | None
    status: PartnerStatus
    observation_count: int

    @property
    def has_reported(self) -> bool:
        return self.status in REPORTED

    @property
    def changed_after_submission(self) -> datetime | None:
        """When the report was last changed, if that was after it was submitted."""
        report = self.report
        if report is None or report.submitted_at is None:
            return None
        return report.updated_at if report.updated_at > report.submitted_at else None


def partner_rows(
    session: Session, municipality: Municipality, week: IsoWeek, *, tz: ZoneInfo, now: datetime
) -> list[PartnerRow]:
    """Every active partner of the kommun with its status for the week, by name."""
    partners = sorted(
        (o for o in municipality.organisations if o.active), key=lambda o: o.name.casefold()
    )
    reports = {
        report.organisation_id: report
        for report in session.scalars(
            select(WeeklyReport).where(
                WeeklyReport.municipality_id == municipality.id,
                WeeklyReport.week_start == week.monday,
            )
        )
    }
    counts = observation_counts(session, [r.id for r in reports.values()])
    deadline = report_deadline(municipality, week, tz)
    rows = []
    for organisation in partners:
        report = reports.get(organisation.id)
        status = partner_status(
            report.status if report else None,
            bool(report and report.late),
            deadline=deadline,
            now=now,
        )
        count = counts.get(report.id, 0) if report else 0
        rows.append(PartnerRow(organisation, report, status, count))
    return rows


@dataclass(frozen=True)
class CompiledState:
    """The week's latest lägesbild, and the partners whose reports changed after it."""

    picture: SituationPicture
    changed: list[PartnerRow]


def compiled_state(
    session: Session, municipality: Municipality, week: IsoWeek, rows: list[PartnerRow]
) -> CompiledState | None:
    """Tell the coordinator which reports changed after the week's lägesbild was compiled."""
    picture = session.scalars(
        select(SituationPicture)
        .where(
            SituationPicture.municipality_id == municipality.id,
            SituationPicture.week_start == week.monday,
        )
        .order_by(SituationPicture.version.desc())
        .limit(1)
    ).first()
    if picture is None:
        return None
    changed = [
        row
        for row in rows
        if row.report is not None and row.report.updated_at > picture.compiled_at
    ]
    return CompiledState(picture, changed)


# --- the observation list ---------------------------------------------------------------------


@dataclass(frozen=True)
class ObservationFilter:
    first_week: IsoWeek
    last_week: IsoWeek
    area_id: int | None = None
    place_id: int | None = None
    category_id: int | None = None
    organisation_id: int | None = None


def _area_and_sub_areas(session: Session, municipality: Municipality, area_id: int) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for area in session.scalars(select(Area).where(Area.municipality_id == municipality.id)):
        children.setdefault(area.parent_id, []).append(area.id)
    found: set[int] = set()
    pending = [area_id]
    while pending:
        current = pending.pop()
        if current not in found:
            found.add(current)
            pending.extend(children.get(current, []))
    return found


def find_observations(
    session: Session,
    municipality: Municipality,
    wanted: ObservationFilter,
    *,
    offset: int,
    limit: int,
) -> tuple[list[Observation], int]:
    """One page of the kommun's observations that match, newest first, and how many match."""
    query = select(Observation).where(
        Observation.municipality_id == municipality.id,
        Observation.week_start >= wanted.first_week.monday,
        Observation.week_start <= wanted.last_week.monday,
    )
    if wanted.area_id is not None:
        areas = _area_and_sub_areas(session, municipality, wanted.area_id)
        query = query.where(Observation.area_id.in_(areas))
    if wanted.place_id is not None:
        query = query.where(Observation.place_id == wanted.place_id)
    if wanted.category_id is not None:
        query = query.where(Observation.category_id == wanted.category_id)
    if wanted.organisation_id is not None:
        query = query.where(Observation.organisation_id == wanted.organisation_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(
        query.options(
            selectinload(Observation.area),
            selectinload(Observation.place),
            selectinload(Observation.category),
        )
        .order_by(Observation.occurred_on.desc(), Observation.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return list(page), total


# --- corrections ------------------------------------------------------------------------------


def _place_label(observation: Observation) -> str:
    if observation.place is not None:
        return f"{observation.area.name}: {observation.place.name}"
    return f"{observation.area.name}: {observation.other_place} (annan plats)"


def _record_correction(
    session: Session,
    actor: User,
    observation: Observation,
    changes: dict[str, list[Any]],
    *,
    now: datetime,
) -> None:
    observation.corrected_by_coordinator = True
    observation.updated_at = now
    session.flush()
    record(
        session,
        actor,
        "observation_corrected",
        "observation",
        observation.id,
        municipality_id=observation.municipality_id,
        details={"report_id": observation.report_id, "changes": changes},
        now=now,
    )


def correct_observation(
    session: Session,
    actor: User,
    observation: Observation,
    *,
    category_id: int | None,
    place_id: int | None,
    now: datetime,
) -> dict[str, list[Any]]:
    """Change an observation's category or place; ``place_id`` None keeps the 'annan plats'.

    The report's own times are left alone: the reporter did not change anything.
    """
    errors: dict[str, str] = {}
    category = session.get(Category, category_id) if category_id else None
    if category is None or category.municipality_id != observation.municipality_id:
        errors["category_id"] = "Välj en händelsetyp från listan."
    elif not category.active and category.id != observation.category_id:
        errors["category_id"] = "Händelsetypen används inte längre. Välj en annan."
    place = session.get(Place, place_id) if place_id else None
    if place_id is not None and (
        place is None or place.area.municipality_id != observation.municipality_id
    ):
        errors["place_id"] = "Välj en plats i kommunen."
    elif place_id is None and observation.other_place is None:
        errors["place_id"] = "Välj en plats."
    if errors:
        raise ObservationRejected(errors)
    assert category is not None
    changes: dict[str, list[Any]] = {}
    if category.id != observation.category_id:
        changes["category"] = [observation.category.name, category.name]
        observation.category = category
    if place is not None and place.id != observation.place_id:
        before = _place_label(observation)
        observation.place = place
        observation.area = place.area
        observation.other_place = None
        changes["place"] = [before, _place_label(observation)]
    if changes:
        _record_correction(session, actor, observation, changes, now=now)
    return changes


def make_place_of_other_place(
    session: Session, actor: User, observation: Observation, name: str, *, now: datetime
) -> Place:
    """Turn the observation's 'annan plats' into a real place of its area, and use it.

    Raises :class:`estapp.admin.errors.InvalidChange` (field ``name``) if the area already has a
    place of that name.
    """
    if observation.other_place is None:
        raise ObservationRejected({"name": "Händelsen har redan en plats ur listan."})
    before = _place_label(observation)
    place = create_place(session, actor, observation.area, name, now=now)
    observation.place = place
    observation.other_place = None
    _record_correction(
        session,
        actor,
        observation,
        {"place": [before, _place_label(observation)], "place_created": [None, place.name]},
        now=now,
    )
    return place


def set_deadline(
    session: Session,
    actor: User,
    municipality: Municipality,
    *,
    weekday: int,
    at: time,
    now: datetime,
) -> bool:
    """Change when the kommun's weekly reports are due; audited. False if nothing changed."""
    before = (municipality.deadline_weekday, municipality.deadline_time)
    if before == (weekday, at):
        return False
    municipality.deadline_weekday = weekday
    municipality.deadline_time = at
    record(
        session,
        actor,
        "deadline_changed",
        "municipality",
        municipality.id,
        municipality_id=municipality.id,
        details={
            "before": f"{before[0]} {before[1]:%H:%M}",
            "after": f"{weekday} {at:%H:%M}",
        },
        now=now,
    )
    session.flush()
    return True
