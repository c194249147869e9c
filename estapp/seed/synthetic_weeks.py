"""The rows of one synthetic kommun's weeks: who reported, and what they observed where and when.

Pure: a seeded ``random.Random`` and the kommun's ids in, row tuples out (in the column order
given below), so the same seed always gives the same data. The spread is meant to look like a
large city's EST reporting: a few partners report much more than others, a few places draw most
of the events, litter and youths gathering rise in summer, fires around new year, and evenings
and weekends are busier than mornings.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate

from estapp.models import Concern, ReportStatus, TimeOfDay
from estapp.reporting.domain import time_of_day_for
from estapp.weeks import IsoWeek

REPORT_COLUMNS = (
    "municipality_id",
    "organisation_id",
    "week_start",
    "status",
    "submitted_at",
    "submitted_by_id",
    "late",
    "created_at",
    "updated_at",
    "revision",
)
OBSERVATION_COLUMNS = (
    "report_id",
    "municipality_id",
    "organisation_id",
    "week_start",
    "occurred_on",
    "time_of_day",
    "exact_time",
    "area_id",
    "place_id",
    "other_place",
    "category_id",
    "description",
    "occurrences",
    "concern",
    "late",
    "created_by_id",
    "created_at",
    "updated_at",
    "corrected_by_coordinator",
)

MISSING_SHARE = 0.03  # partner-weeks with no report at all
NOTHING_SHARE = 0.05  # partner-weeks reported as "inget att rapportera"
LATE_SHARE = 0.08
OTHER_PLACE_SHARE = 0.02
EXACT_TIME_SHARE = 0.25

TIMES = (TimeOfDay.NIGHT, TimeOfDay.MORNING, TimeOfDay.DAY, TimeOfDay.EVENING)
TIME_WEIGHTS = (18, 10, 32, 40)
HOURS = {
    TimeOfDay.NIGHT: (0, 6),
    TimeOfDay.MORNING: (6, 10),
    TimeOfDay.DAY: (10, 18),
    TimeOfDay.EVENING: (18, 24),
}
WEEKDAY_WEIGHTS = (12, 12, 13, 14, 17, 18, 14)  # Monday first
CONCERNS = (Concern.LOW, Concern.MEDIUM, Concern.HIGH)
CONCERN_WEIGHTS = (35, 45, 20)
OCCURRENCES = (1, 2, 3, 5)
OCCURRENCE_WEIGHTS = (75, 15, 7, 3)

# Category name -> (share of events, weeks of the year when it is more common, factor then).
CATEGORY_PROFILE: dict[str, tuple[float, frozenset[int], float]] = {
    "Skadegörelse": (14, frozenset(), 1.0),
    "Klotter": (14, frozenset(range(14, 40)), 1.3),
    "Nedskräpning": (16, frozenset(range(22, 35)), 1.8),
    "Anlagd brand": (4, frozenset({52, 53, 1, 17, 18}), 2.5),
    "Ungdomar som samlas eller stör": (14, frozenset(range(22, 35)), 1.4),
    "Öppen droghantering": (6, frozenset(), 1.0),
    "Hot eller våld": (5, frozenset(), 1.0),
    "Incident mot anställd": (4, frozenset(), 1.0),
    "Otrygg plats": (10, frozenset({*range(44, 54), *range(1, 7)}), 1.3),
    "Trafik": (8, frozenset(range(33, 37)), 1.3),
}
OTHER_CATEGORY_SHARE = 5.0

DESCRIPTIONS = {
    "Skadegörelse": (
        "Krossad ruta i entrédörren, glas på marken.",
        "Sönderslagen belysning längs gångvägen, mörkt efter kl. 17.",
        "Parkbänkar och papperskorgar vandaliserade under natten.",
    ),
    "Klotter": (
        "Nytt klotter på fasaden och elskåpet vid entrén.",
        "Taggar på busskuren, samma signatur som förra veckan.",
        "Klotter i gångtunneln, delvis sanerat men nytt tillkommit.",
    ),
    "Nedskräpning": (
        "Mycket skräp och engångsgrillar kvar efter helgen.",
        "Överfulla sopkärl, skräp sprids av vinden.",
        "Flaskor och glassplitter på lekplatsen på morgonen.",
    ),
    "Anlagd brand": (
        "Brand i papperskorg, släckt av räddningstjänsten.",
        "Anlagd brand i container bakom byggnaden.",
    ),
    "Ungdomar som samlas eller stör": (
        "Grupp om 10–15 ungdomar samlas kvällstid, hög musik och stök.",
        "Ungdomar på mopeder kör på gångvägen, boende upplever otrygghet.",
        "Många ungdomar vid entrén efter stängning, viss oro bland personal.",
    ),
    "Öppen droghantering": (
        "Misstänkt langning vid bänkarna, kanyler hittade i buskaget.",
        "Personal har sett handel med narkotika vid cykelstället.",
    ),
    "Hot eller våld": (
        "Bråk mellan två grupper, polis tillkallad.",
        "Personal utsatt för hot i samband med tillsägelse.",
    ),
    "Incident mot anställd": (
        "Chaufför utsatt för stenkastning mot bussen.",
        "Väktare knuffad vid avvisning från galleriet.",
    ),
    "Otrygg plats": (
        "Trasig belysning gör platsen mörk och otrygg.",
        "Boende undviker gångvägen kvällstid, upplevs otrygg.",
        "Buskage skymmer sikten, flera synpunkter från boende.",
    ),
    "Trafik": (
        "Vårdslös körning och buskörning på parkeringen.",
        "Fortkörning förbi skolan vid hämtning och lämning.",
    ),
}
OTHER_DESCRIPTIONS = (
    "Övrig iakttagelse, se samordnarens anteckning.",
    "Händelse som inte passar någon händelsetyp, rapporteras för kännedom.",
)
OTHER_PLACES = ("Vid återvinningsstationen", "Bakom affären", "Vid gång- och cykelbron")


@dataclass(frozen=True)
class KommunLayout:
    """What the rows of one kommun refer to."""

    municipality_id: int
    partner_ids: Sequence[int]
    reporter_of: dict[int, int]  # organisation id -> its reporter's user id
    places: Sequence[tuple[int, int]]  # (place id, area id)
    categories: Sequence[tuple[int, str]]  # (category id, name)


@dataclass
class WeekPlan:
    """Who reported in a week, and whose each of the week's observations is."""

    week: IsoWeek
    reports: dict[int, tuple[ReportStatus, bool, datetime]] = field(default_factory=dict)
    picks: list[int] = field(default_factory=list)  # organisation id per observation


def activity_weights(rng: random.Random, count: int) -> list[float]:
    """How much each partner reports: a long tail, the busiest ten times the quietest."""
    return [0.3 + rng.paretovariate(1.6) for _ in range(count)]


def place_weights(rng: random.Random, count: int) -> list[float]:
    """Hot spots: places ranked in random order, the n-th drawing about 1/n of the events."""
    ranks = list(range(1, count + 1))
    rng.shuffle(ranks)
    return [1.0 / rank**0.8 for rank in ranks]


def category_weights(layout: KommunLayout, week: IsoWeek) -> list[float]:
    weights = []
    for _category_id, name in layout.categories:
        share, season, factor = CATEGORY_PROFILE.get(name, (OTHER_CATEGORY_SHARE, frozenset(), 1))
        weights.append(share * (factor if week.week in season else 1.0))
    return weights


def _submitted_at(rng: random.Random, week: IsoWeek, late: bool) -> datetime:
    # On time: Friday to Monday morning; late: during the following week.
    base = datetime.combine(week.monday, time(0), tzinfo=UTC)
    hours = rng.uniform(24 * 8 + 8, 24 * 11) if late else rng.uniform(24 * 4 + 10, 24 * 7 + 7)
    return base + timedelta(hours=hours)


def plan_week(
    rng: random.Random,
    layout: KommunLayout,
    week: IsoWeek,
    per_partner: int,
    activity: Sequence[float],
) -> WeekPlan:
    """Decide each partner's report for the week and spread the week's observations over the
    partners that report (partners × per_partner in all, unless nobody reports)."""
    plan = WeekPlan(week)
    reporting: list[int] = []
    weights: list[float] = []
    for organisation_id, weight in zip(layout.partner_ids, activity, strict=True):
        draw = rng.random()
        if draw < MISSING_SHARE:
            continue
        late = rng.random() < LATE_SHARE
        nothing = draw < MISSING_SHARE + NOTHING_SHARE
        status = ReportStatus.NOTHING_TO_REPORT if nothing else ReportStatus.SUBMITTED
        plan.reports[organisation_id] = (status, late, _submitted_at(rng, week, late))
        if not nothing:
            reporting.append(organisation_id)
            weights.append(weight)
    total = per_partner * len(layout.partner_ids)
    if reporting and total:
        plan.picks = rng.choices(reporting, cum_weights=list(accumulate(weights)), k=total)
    observed = set(plan.picks)
    for organisation_id in reporting:
        if organisation_id not in observed:  # drew nothing: it had nothing to report
            _status, late, at = plan.reports[organisation_id]
            plan.reports[organisation_id] = (ReportStatus.NOTHING_TO_REPORT, late, at)
    return plan


def report_rows(layout: KommunLayout, plan: WeekPlan) -> Iterator[tuple]:
    for organisation_id, (status, late, at) in plan.reports.items():
        yield (
            layout.municipality_id,
            organisation_id,
            plan.week.monday,
            status.value,
            at,
            layout.reporter_of.get(organisation_id),
            late,
            at - timedelta(days=3),
            at,
            2,
        )


def _moment(rng: random.Random, period: TimeOfDay) -> time:
    start, end = HOURS[period]
    return time(rng.randrange(start, end), rng.randrange(0, 60, 5))


def observation_rows(
    rng: random.Random,
    layout: KommunLayout,
    plan: WeekPlan,
    report_ids: dict[int, int],
    place_cum_weights: Sequence[float],
) -> Iterator[tuple]:
    """The week's observations as rows of OBSERVATION_COLUMNS."""
    count = len(plan.picks)
    if not count:
        return
    week = plan.week
    places = rng.choices(layout.places, cum_weights=place_cum_weights, k=count)
    categories = rng.choices(layout.categories, weights=category_weights(layout, week), k=count)
    periods = rng.choices(TIMES, weights=TIME_WEIGHTS, k=count)
    days = rng.choices(week.days(), weights=WEEKDAY_WEIGHTS, k=count)
    concerns = rng.choices(CONCERNS, weights=CONCERN_WEIGHTS, k=count)
    occurrences = rng.choices(OCCURRENCES, weights=OCCURRENCE_WEIGHTS, k=count)
    for index, organisation_id in enumerate(plan.picks):
        _status, late, submitted = plan.reports[organisation_id]
        (place_id, area_id), (category_id, category) = places[index], categories[index]
        period, exact = periods[index], None
        if rng.random() < EXACT_TIME_SHARE:
            exact = _moment(rng, period)
            period = time_of_day_for(exact)
        other_place = None
        if rng.random() < OTHER_PLACE_SHARE:
            place_id, other_place = None, rng.choice(OTHER_PLACES)
        day: date = days[index]
        created = min(datetime.combine(day, time(20), tzinfo=UTC), submitted)
        yield (
            report_ids[organisation_id],
            layout.municipality_id,
            organisation_id,
            week.monday,
            day,
            period.value,
            exact,
            area_id,
            place_id,
            other_place,
            category_id,
            rng.choice(DESCRIPTIONS.get(category, OTHER_DESCRIPTIONS)),
            occurrences[index],
            concerns[index].value,
            late,
            layout.reporter_of.get(organisation_id),
            created,
            created,
            False,
        )
