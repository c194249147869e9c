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
from typing import Any

from sqlalchemy import String, func, select, type_coerce
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
from estapp.weeks import IsoWeek

PAYLOAD_SCHEMA = 1
TREND_WEEKS = 12
BASELINE_WEEKS = 8
HOT_SPOT_LIMIT = 10


def _of_week(municipality: Municipality, week: IsoWeek) -> tuple[Any, ...]:
    return (Observation.municipality_id == municipality.id, Observation.week_start == week.monday)


@dataclass
class _WeekTotals:
    """The week's occurrences summed per breakdown the lägesbild shows."""

    observations: int = 0
    by_area_category: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    by_place_report: dict[tuple[int | None, int, int, str], int] = field(
        default_factory=lambda: defaultdict(int)
    )
    by_time_of_day: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_day: dict[date, int] = field(default_factory=lambda: defaultdict(int))


def _week_totals(session: Session, municipality: Municipality, week: IsoWeek) -> _WeekTotals:
    """One grouped query over the week, summed up here per breakdown.

    One query rather than one per breakdown: each costs a round trip and a pass over the
    week's rows in the database, while the groups are few enough to add up in one loop.
    """
    keys = (
        Observation.area_id,
        Observation.category_id,
        Observation.place_id,
        Observation.organisation_id,
        # The stored values as plain text: thousands of rows need no enum objects.
        type_coerce(Observation.concern, String),
        type_coerce(Observation.time_of_day, String),
        Observation.occurred_on,
    )
    rows = (
        session.connection()
        .execute(
            select(*keys, func.sum(Observation.occurrences), func.count(Observation.id))
            .where(*_of_week(municipality, week))
            .group_by(*keys)
        )
        .all()
    )
    totals = _WeekTotals()
    for area, category, place, organisation, concern, time_of_day, day, summed, count in rows:
        summed = int(summed)
        totals.observations += count
        totals.by_area_category[area, category] += summed
        totals.by_place_report[place, area, organisation, concern] += summed
        totals.by_time_of_day[time_of_day] += summed
        totals.by_day[day] += summed
    return totals


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
    )
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
    reports = {
        organisation_id: (status, late)
        for organisation_id, status, late in session.execute(
            select(WeeklyReport.organisation_id, WeeklyReport.status, WeeklyReport.late).where(
                WeeklyReport.municipality_id == municipality.id,
                WeeklyReport.week_start == week.monday,
            )
        )
    }
    statuses = []
    for organisation in municipality.organisations:
        if not organisation.active:
            continue
        status, late = reports.get(organisation.id, (None, False))
        if status == ReportStatus.SUBMITTED:
            shown = stats.ReportStatus.REPORTED
        elif status == ReportStatus.NOTHING_TO_REPORT:
            shown = stats.ReportStatus.NOTHING_TO_REPORT
        else:
            shown, late = stats.ReportStatus.MISSING, False
        statuses.append(stats.OrganisationStatus(organisation.name, shown, bool(late)))
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

    # Trends and baselines from one grouped query over the weeks they need.
    trend_weeks = [*week.previous(TREND_WEEKS - 1), week]
    last_year = week.same_week_last_year()
    wanted = set(trend_weeks) | set(week.previous(BASELINE_WEEKS))
    if last_year is not None:
        wanted.add(last_year)
    weekly = _weekly_category_counts(session, municipality, sorted(wanted))
    first = _first_reported_week(session, municipality) or week
    first = min(first, week)
    per_category: dict[int, dict[IsoWeek, int]] = defaultdict(dict)
    per_week: dict[IsoWeek, int] = defaultdict(int)
    for (week_start, category), total in weekly.items():
        per_category[category][IsoWeek.of(week_start)] = total
        per_week[IsoWeek.of(week_start)] += total

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

    place_names = {
        pid: name
        for pid, name in session.execute(
            select(Place.id, Place.name).join(Area).where(Area.municipality_id == municipality.id)
        )
    }
    organisation_names = dict(session.execute(select(Organisation.id, Organisation.name)).all())
    place_reports = [
        stats.PlaceReport(
            place_names.get(place, "") if place is not None else "",
            area_names[area],
            organisation_names[organisation],
            concern,
            total,
        )
        for (place, area, organisation, concern), total in this_week.by_place_report.items()
    ]
    # "Annan plats" is free text; it counts for its area but is never ranked as a place.
    named_places = [report for report in place_reports if report.place]

    times = stats.distribution_by_time_of_day(this_week.by_time_of_day)
    by_day: dict[int, int] = defaultdict(int)
    for day, total in this_week.by_day.items():
        by_day[day.isoweekday()] += total
    weekdays = stats.distribution_by_weekday(by_day)

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
        "hot_spot_places": _hot_spots_json(
            stats.hot_spot_places(named_places, limit=HOT_SPOT_LIMIT)
        ),
        "hot_spot_areas": _hot_spots_json(stats.hot_spot_areas(place_reports, limit=None)),
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
