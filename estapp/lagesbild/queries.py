"""Aggregate one kommun's week in SQL and turn the grouped rows into a lägesbild payload.

Every query groups on indexed columns (kommun and week first) so the database does the counting;
no observation row, and no free text, is ever loaded. The payload is plain JSON: figures, the
names of categories, areas, places and partner organisations, never descriptions or people.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Connection, String, case, cast, func, select, type_coerce
from sqlalchemy.orm import Session

from estapp.lagesbild import statistics as stats
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
from estapp.models.geography import organisation_municipality
from estapp.weeks import IsoWeek

PAYLOAD_SCHEMA = 1
TREND_WEEKS = 12
BASELINE_WEEKS = 8
HOT_SPOT_LIMIT = 10


def _of_week(municipality: Municipality, week: IsoWeek) -> tuple[Any, ...]:
    return (Observation.municipality_id == municipality.id, Observation.week_start == week.monday)


class _PlaceTotal(NamedTuple):
    """The week's events at one place of an area, with the ids of the organisations that
    reported them."""

    place: int | None  # None: a free-text place ("Annan plats")
    area: int
    events: int
    score: int
    organisation_ids: list[str]  # as text, the way SQL joined them


@dataclass
class _WeekTotals:
    """The week's occurrences summed per breakdown the lägesbild shows."""

    observations: int = 0
    by_area_category: dict[tuple[int, int], int] = field(default_factory=dict)
    by_time_of_day: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_weekday: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    by_place: list[_PlaceTotal] = field(default_factory=list)

    def by_category(self) -> dict[int, int]:
        """Occurrences per category, summed over the areas."""
        totals: dict[int, int] = defaultdict(int)
        for (_area, category), total in self.by_area_category.items():
            totals[category] += total
        return totals


def _score() -> Any:
    """The hot-spot score summed in SQL: occurrences × the weight of their concern level."""
    concern = type_coerce(Observation.concern, String)
    weights = {level.value: weight for level, weight in stats.CONCERN_WEIGHTS.items()}
    return func.sum(Observation.occurrences * case(weights, value=concern))


def _week_totals(session: Session, municipality: Municipality, week: IsoWeek) -> _WeekTotals:
    """The week's breakdowns, each grouped in SQL.

    A few small GROUP BYs rather than one over every key: grouping on all the keys at once
    leaves about one group per observation, and handing thousands of groups to Python costs
    more than reading the week's rows again from pages the first query has just read.
    """
    of_week = _of_week(municipality, week)
    connection = session.connection()
    totals = _WeekTotals()
    cell_keys = (Observation.area_id, Observation.category_id)
    for area, category, summed, count in connection.execute(
        select(*cell_keys, func.sum(Observation.occurrences), func.count(Observation.id))
        .where(*of_week)
        .group_by(*cell_keys)
    ).all():
        totals.by_area_category[area, category] = int(summed)
        totals.observations += count
    # The stored value as plain text: the key needs no enum object.
    time_keys = (type_coerce(Observation.time_of_day, String), Observation.occurred_on)
    for period, day, summed in connection.execute(
        select(*time_keys, func.sum(Observation.occurrences)).where(*of_week).group_by(*time_keys)
    ).all():
        totals.by_time_of_day[period] += int(summed)
        totals.by_weekday[day.isoweekday()] += int(summed)
    totals.by_place = _week_places(connection, of_week)
    return totals


def _week_places(connection: Connection, of_week: tuple[Any, ...]) -> list[_PlaceTotal]:
    """Per place (or free-text place) and area: events, score and who reported them.

    The organisations come as one list of ids per place, joined in SQL: a large kommun has
    thousands of place × organisation pairs a week, each a row to fetch and add up otherwise.
    """
    keys = (Observation.place_id, Observation.area_id, Observation.organisation_id)
    per_organisation = (
        select(*keys, func.sum(Observation.occurrences).label("events"), _score().label("score"))
        .where(*of_week)
        .group_by(*keys)
        .subquery()
    )
    part = per_organisation.c
    # Every organisation listed has events there: an observation counts at least one.
    rows = connection.execute(
        select(
            part.place_id,
            part.area_id,
            func.sum(part.events),
            func.sum(part.score),
            func.aggregate_strings(cast(part.organisation_id, String), ","),
        ).group_by(part.place_id, part.area_id)
    ).all()
    # Summed sums are numeric (Decimal) on PostgreSQL; the payload holds plain integers.
    return [
        _PlaceTotal(place, area, int(events), int(score), organisations.split(","))
        for place, area, events, score, organisations in rows
    ]


def _weekly_category_counts(
    session: Session, municipality: Municipality, weeks: list[IsoWeek]
) -> dict[tuple[date, int], int]:
    rows = session.execute(
        select(Observation.week_start, Observation.category_id, func.sum(Observation.occurrences))
        .where(
            Observation.municipality_id == municipality.id,
            Observation.week_start.in_([w.monday for w in weeks]),
        )
        .group_by(Observation.week_start, Observation.category_id)
    ).all()
    return {(week_start, category): int(total) for week_start, category, total in rows}


def _first_reported_week(session: Session, municipality: Municipality) -> IsoWeek | None:
    """The first week anyone reported for; earlier weeks have no data (not zero)."""
    first_reported = select(func.min(WeeklyReport.week_start)).where(
        WeeklyReport.municipality_id == municipality.id,
        WeeklyReport.status != ReportStatus.DRAFT,
    )
    first_observed = select(func.min(Observation.week_start)).where(
        Observation.municipality_id == municipality.id
    )
    first, first_observed = session.execute(
        select(first_reported.scalar_subquery(), first_observed.scalar_subquery())
    ).one()
    candidates = [d for d in (first, first_observed) if d is not None]
    return IsoWeek.of(min(candidates)) if candidates else None


def _comparison_json(comparison: stats.BaselineComparison) -> dict[str, Any]:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    return {
        "count": comparison.count,
        "baseline_weeks": comparison.baseline_weeks,
        "baseline_mean": rounded(comparison.baseline_mean),
        "last_year": comparison.last_year_count,
        "p_high": rounded(comparison.p_high),
        "p_low": rounded(comparison.p_low),
        "deviation": comparison.deviation.value,
    }


def _participation(session: Session, municipality: Municipality, week: IsoWeek) -> dict[str, Any]:
    """Each active partner of the kommun with its report for the week, if any (one query)."""
    rows = session.execute(
        select(Organisation.name, WeeklyReport.status, WeeklyReport.late)
        .join(
            organisation_municipality,
            organisation_municipality.c.organisation_id == Organisation.id,
        )
        .outerjoin(
            WeeklyReport,
            (WeeklyReport.organisation_id == Organisation.id)
            & (WeeklyReport.municipality_id == municipality.id)
            & (WeeklyReport.week_start == week.monday),
        )
        .where(
            organisation_municipality.c.municipality_id == municipality.id,
            Organisation.active.is_(True),
        )
    )
    statuses = []
    for name, status, late in rows:
        if status == ReportStatus.SUBMITTED:
            shown = stats.ReportStatus.REPORTED
        elif status == ReportStatus.NOTHING_TO_REPORT:
            shown = stats.ReportStatus.NOTHING_TO_REPORT
        else:
            shown, late = stats.ReportStatus.MISSING, False
        statuses.append(stats.OrganisationStatus(name, shown, bool(late)))
    summary = stats.summarise_participation(statuses)
    return {
        "expected": summary.expected,
        "reported": summary.reported,
        "nothing_to_report": summary.nothing_to_report,
        "missing": summary.missing,
        "late": summary.late,
        "missing_organisations": list(summary.missing_organisations),
        "late_organisations": list(summary.late_organisations),
    }


def _hot_spots_json(spots: tuple[stats.HotSpot, ...]) -> list[dict[str, Any]]:
    return [
        {
            "label": spot.label,
            "area": spot.area,
            "count": spot.count,
            "score": spot.score,
            "organisations": list(spot.organisations),
            "several": spot.reported_by_several,
        }
        for spot in spots
    ]


def _weekly_totals(
    session: Session, municipality: Municipality, week: IsoWeek, this_week: _WeekTotals
) -> tuple[dict[int, dict[IsoWeek, int]], dict[IsoWeek, int]]:
    """Occurrences per category and week, and per week, over the weeks the trend, the
    baselines and the same week last year need.

    The earlier weeks come from one grouped query; the week itself from its own breakdown,
    which has read its rows already.
    """
    wanted = set(week.previous(TREND_WEEKS - 1)) | set(week.previous(BASELINE_WEEKS))
    last_year = week.same_week_last_year()
    if last_year is not None:
        wanted.add(last_year)
    weekly = _weekly_category_counts(session, municipality, sorted(wanted))
    per_category: dict[int, dict[IsoWeek, int]] = defaultdict(dict)
    per_week: dict[IsoWeek, int] = defaultdict(int)
    for (week_start, category), total in weekly.items():
        per_category[category][IsoWeek.of(week_start)] = total
        per_week[IsoWeek.of(week_start)] += total
    for category, total in this_week.by_category().items():
        per_category[category][week] = total
        per_week[week] += total
    return per_category, per_week


def _hot_spots(
    session: Session,
    municipality: Municipality,
    this_week: _WeekTotals,
    area_names: dict[int, str],
) -> tuple[tuple[stats.HotSpot, ...], tuple[stats.HotSpot, ...]]:
    """The week's ranked places (the top ones) and areas (all)."""
    place_names = dict(
        session.execute(
            select(Place.id, Place.name).join(Area).where(Area.municipality_id == municipality.id)
        ).all()
    )
    organisation_names = {
        str(oid): name for oid, name in session.execute(select(Organisation.id, Organisation.name))
    }
    places: list[stats.SpotShare] = []
    areas: list[stats.SpotShare] = []
    for place, area, events, score, organisation_ids in this_week.by_place:
        area_name = area_names[area]
        organisations = [organisation_names[oid] for oid in organisation_ids]
        areas.append(((area_name, None), organisations, events, score))
        # "Annan plats" is free text; it counts for its area but is never ranked as a place.
        place_name = place_names.get(place, "")
        if place_name:
            places.append(((place_name, area_name), organisations, events, score))
    return (
        stats.rank_hot_spots(places, limit=HOT_SPOT_LIMIT),
        stats.rank_hot_spots(areas, limit=None),
    )


def build_payload(session: Session, municipality: Municipality, week: IsoWeek) -> dict[str, Any]:
    """Aggregate the week and return the JSON payload of its lägesbild."""
    categories = session.execute(
        select(Category.id, Category.name, Category.active)
        .where(Category.municipality_id == municipality.id)
        .order_by(Category.position, Category.name)
    ).all()
    category_names = {cid: name for cid, name, _ in categories}
    areas = session.execute(
        select(Area.id, Area.name).where(Area.municipality_id == municipality.id)
    ).all()
    area_names = dict(areas)

    this_week = _week_totals(session, municipality, week)
    # This week by area × category, the base of both one-way totals.
    cells = [
        stats.CategoryAreaCount(category_names[category], area_names[area], total)
        for (area, category), total in this_week.by_area_category.items()
    ]

    trend_weeks = [*week.previous(TREND_WEEKS - 1), week]
    per_category, per_week = _weekly_totals(session, municipality, week, this_week)
    first = _first_reported_week(session, municipality) or week
    first = min(first, week)

    by_category_now = {c.label: c.count for c in stats.totals_by_category(cells)}
    category_rows = []
    for cid, name, active in categories:
        if not active and not by_category_now.get(name) and not per_category.get(cid):
            continue
        series = stats.WeeklySeries(first, per_category.get(cid, {}))
        comparison = stats.compare_with_baseline(
            series, week, label=name, baseline_weeks=BASELINE_WEEKS
        )
        category_rows.append({"label": name, **_comparison_json(comparison)})
    category_rows.sort(key=lambda row: (-row["count"], row["label"]))
    total_comparison = stats.compare_with_baseline(
        stats.WeeklySeries(first, dict(per_week)), week, label="total"
    )

    by_area_now = {c.label: c.count for c in stats.totals_by_area(cells)}
    area_rows = sorted(
        ({"id": aid, "label": name, "count": by_area_now.get(name, 0)} for aid, name in areas),
        key=lambda row: (-row["count"], row["label"]),
    )
    hot_places, hot_areas = _hot_spots(session, municipality, this_week, area_names)
    times = stats.distribution_by_time_of_day(this_week.by_time_of_day)
    weekdays = stats.distribution_by_weekday(this_week.by_weekday)

    return {
        "schema": PAYLOAD_SCHEMA,
        "week": str(week),
        "municipality": {"id": municipality.id, "name": municipality.name},
        "total": sum(cell.count for cell in cells),
        "observations": this_week.observations,
        "first_week": str(first),
        "total_baseline": _comparison_json(total_comparison),
        "by_category": category_rows,
        "by_area": area_rows,
        "by_time_of_day": [
            {"key": str(s.key), "count": s.count, "share": round(s.share, 4)} for s in times
        ],
        "by_weekday": [
            {"day": s.key, "count": s.count, "share": round(s.share, 4)} for s in weekdays
        ],
        "hot_spot_places": _hot_spots_json(hot_places),
        "hot_spot_areas": _hot_spots_json(hot_areas),
        "trend": {
            "weeks": [str(w) for w in trend_weeks],
            "total": [per_week.get(w, 0) for w in trend_weeks],
            "by_category": {
                name: [per_category.get(cid, {}).get(w, 0) for w in trend_weeks]
                for cid, name, _ in categories
                if any(per_category.get(cid, {}).get(w) for w in trend_weeks)
            },
        },
        "participation": _participation(session, municipality, week),
    }


def payload_hash(payload: dict[str, Any]) -> str:
    """A stable fingerprint of the payload's content."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
