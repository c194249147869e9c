"""Compute the numbers of a weekly lägesbild from aggregated counts. Pure; no Flask, no ORM."""

from __future__ import annotations

import enum
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from estapp.weeks import IsoWeek

# Summing stops once a term is this small relative to the running sum: beyond that point the
# remaining terms of a Poisson tail cannot change a double-precision result.
_NEGLIGIBLE = 1e-17


# Enum values are stable keys for storage and templates; the UI terms (låg, kväll, …) belong to
# the translation catalogue, not to this module.


class ConcernLevel(enum.StrEnum):
    LOW = "lag"
    MEDIUM = "medel"
    HIGH = "hog"

    @property
    def weight(self) -> int:
        """Return the weight used in the hot-spot score (låg 1, medel 2, hög 3)."""
        return CONCERN_WEIGHTS[self]


# The hot-spot score's weights, also for summing scores in SQL.
CONCERN_WEIGHTS: Mapping[ConcernLevel, int] = {
    ConcernLevel.LOW: 1,
    ConcernLevel.MEDIUM: 2,
    ConcernLevel.HIGH: 3,
}


class TimeOfDay(enum.StrEnum):
    NIGHT = "natt"
    MORNING = "morgon"
    DAY = "dag"
    EVENING = "kvall"


class Deviation(enum.StrEnum):
    NORMAL = "normal"
    UNUSUALLY_HIGH = "ovanligt_hog"
    UNUSUALLY_LOW = "ovanligt_lag"


class ReportStatus(enum.StrEnum):
    REPORTED = "rapporterat"
    NOTHING_TO_REPORT = "inget_att_rapportera"
    MISSING = "saknas"


def _check_count(count: int, what: str) -> None:
    """Raise ValueError unless count is a non-negative integer."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"{what} must be a non-negative integer, got {count!r}")


# --- Poisson tails ---------------------------------------------------------------------------


def _tail_from(start: int, step: int, mean: float) -> float:
    """Sum P(X=i) from ``start`` outwards (step ±1) while the terms still matter."""
    # Terms shrink monotonically away from the mode, so we sum relative to the first (largest)
    # term in log space; this neither overflows nor underflows for means in the thousands.
    # log P(X=i) = -mean + i·log(mean) - log(i!), with log(mean) taken once per tail.
    log_mean, exp, lgamma = math.log(mean), math.exp, math.lgamma
    log_first = -mean + start * log_mean - lgamma(start + 1)
    relative_sum, i = 0.0, start
    while i >= 0:
        term = exp(-mean + i * log_mean - lgamma(i + 1) - log_first)
        relative_sum += term
        if term < _NEGLIGIBLE * relative_sum:
            break
        i += step
    return math.exp(log_first + math.log(relative_sum))


def _check_mean(mean: float) -> None:
    if not math.isfinite(mean) or mean < 0:
        raise ValueError(f"mean must be finite and non-negative, got {mean!r}")


def poisson_at_most(k: int, mean: float) -> float:
    """Return P(X <= k) for X ~ Poisson(mean)."""
    _check_mean(mean)
    if k < 0:
        return 0.0
    if mean == 0:
        return 1.0
    # Sum whichever tail is the small one, so a tiny p-value is never 1 minus almost 1.
    if k < mean:
        return min(1.0, _tail_from(k, -1, mean))
    return max(0.0, 1.0 - _tail_from(k + 1, +1, mean))


def poisson_at_least(k: int, mean: float) -> float:
    """Return P(X >= k) for X ~ Poisson(mean)."""
    _check_mean(mean)
    if k <= 0:
        return 1.0
    if mean == 0:
        return 0.0
    if k > mean:
        return min(1.0, _tail_from(k, +1, mean))
    return max(0.0, 1.0 - poisson_at_most(k - 1, mean))


# --- totals ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryAreaCount:
    category: str
    area: str
    count: int

    def __post_init__(self) -> None:
        _check_count(self.count, "count")


@dataclass(frozen=True)
class LabelCount:
    label: str
    count: int


def _ranked_totals(pairs: Iterable[tuple[str, int]]) -> tuple[LabelCount, ...]:
    totals: dict[str, int] = defaultdict(int)
    for label, count in pairs:
        totals[label] += count
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return tuple(LabelCount(label, count) for label, count in ranked)


def totals_by_category(cells: Iterable[CategoryAreaCount]) -> tuple[LabelCount, ...]:
    """Sum counts per category, largest first (ties by name)."""
    return _ranked_totals((cell.category, cell.count) for cell in cells)


def totals_by_area(cells: Iterable[CategoryAreaCount]) -> tuple[LabelCount, ...]:
    """Sum counts per area, largest first (ties by name)."""
    return _ranked_totals((cell.area, cell.count) for cell in cells)


# --- baseline --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeeklySeries:
    """Counts per ISO week since reporting began; a week absent from ``counts`` had zero."""

    first_week: IsoWeek
    # A GROUP BY leaves out empty weeks, so absence means zero once reporting has begun;
    # weeks before first_week have no data at all, which is not the same as zero.
    counts: Mapping[IsoWeek, int] = field(hash=False)

    def __post_init__(self) -> None:
        for count in self.counts.values():
            _check_count(count, "weekly count")

    def count(self, week: IsoWeek) -> int | None:
        """Return the week's count, or None if reporting had not begun that week."""
        if week < self.first_week:
            return None
        return self.counts.get(week, 0)


@dataclass(frozen=True)
class BaselineComparison:
    label: str
    week: IsoWeek
    count: int
    baseline_weeks: int
    baseline_mean: float | None
    last_year_count: int | None
    p_high: float | None
    p_low: float | None
    deviation: Deviation

    @property
    def change(self) -> float | None:
        """Return this week's count minus the baseline mean."""
        return None if self.baseline_mean is None else self.count - self.baseline_mean

    @property
    def relative_change(self) -> float | None:
        """Return the change as a fraction of the baseline mean (None if the mean is zero)."""
        if not self.baseline_mean:
            return None
        return (self.count - self.baseline_mean) / self.baseline_mean


def compare_with_baseline(
    series: WeeklySeries,
    week: IsoWeek,
    *,
    label: str = "",
    baseline_weeks: int = 8,
    min_baseline_weeks: int = 4,
    alpha: float = 0.05,
    min_count_high: int = 5,
    min_mean_low: float = 5.0,
) -> BaselineComparison:
    """Compare a week's count with the preceding weeks' mean and the same week last year."""
    # Flag only what a one-sided Poisson test finds unlikely under the baseline mean: high when
    # P(X >= count) < alpha and count >= min_count_high, low when P(X <= count) < alpha and
    # mean >= min_mean_low. The minimums keep "2 instead of 1" (+100 %) from ever being called
    # unusual, and fewer than min_baseline_weeks weeks of history is too thin to flag anything.
    # alpha is per comparison: with many categories about alpha of them are flagged by chance.
    count = series.count(week)
    if count is None:
        raise ValueError(f"{week} is before reporting began ({series.first_week})")
    history = (series.count(earlier) for earlier in week.previous(baseline_weeks))
    observed = [c for c in history if c is not None]
    mean = sum(observed) / len(observed) if observed else None
    last_year = week.same_week_last_year()
    last_year_count = series.count(last_year) if last_year is not None else None

    p_high = p_low = None
    deviation = Deviation.NORMAL
    if mean is not None:
        p_high, p_low = poisson_at_least(count, mean), poisson_at_most(count, mean)
        if len(observed) >= min_baseline_weeks:
            if count >= min_count_high and p_high < alpha:
                deviation = Deviation.UNUSUALLY_HIGH
            elif mean >= min_mean_low and p_low < alpha:
                deviation = Deviation.UNUSUALLY_LOW
    return BaselineComparison(
        label=label,
        week=week,
        count=count,
        baseline_weeks=len(observed),
        baseline_mean=mean,
        last_year_count=last_year_count,
        p_high=p_high,
        p_low=p_low,
        deviation=deviation,
    )


# --- hot spots -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceReport:
    """Observations at one place from one organisation at one concern level, summed."""

    place: str
    area: str
    organisation: str
    concern: ConcernLevel
    count: int

    def __post_init__(self) -> None:
        _check_count(self.count, "count")
        # Accept the stored string value too, so services can pass database rows straight in.
        object.__setattr__(self, "concern", ConcernLevel(self.concern))


@dataclass(frozen=True)
class HotSpot:
    """A ranked place or area; score = sum of count × concern weight (låg 1, medel 2, hög 3)."""

    label: str
    area: str | None
    count: int
    score: int
    organisations: tuple[str, ...]

    @property
    def reported_by_several(self) -> bool:
        """Return whether two or more distinct partner organisations reported here."""
        return len(self.organisations) >= 2


# Part of a spot's events, summed: the spot ((place, area), or (area, None) for an area), the
# organisations that reported those events, how many there were and their score (each event ×
# its concern weight). A spot may come in several parts, e.g. one per organisation.
SpotShare = tuple[tuple[str, str | None], Iterable[str], int, int]


def rank_hot_spots(shares: Iterable[SpotShare], *, limit: int | None) -> tuple[HotSpot, ...]:
    """Add up each spot's shares and rank the spots by score, then count, then number of
    reporting organisations."""
    totals: dict[tuple[str, str | None], list[Any]] = {}  # spot -> [count, score, organisations]
    for spot, organisations, count, score in shares:
        entry = totals.get(spot)
        if entry is None:
            entry = totals[spot] = [0, 0, set()]
        entry[0] += count
        entry[1] += score
        if count:
            entry[2].update(organisations)
    spots = [
        HotSpot(spot[0], spot[1], count, score, tuple(sorted(organisations)))
        for spot, (count, score, organisations) in totals.items()
        if count > 0
    ]
    # Concern first, then volume; corroboration by several partners breaks the remaining ties
    # because a place seen by both school and police is more certainly a real problem.
    spots.sort(key=lambda s: (-s.score, -s.count, -len(s.organisations), s.label, s.area or ""))
    return tuple(spots if limit is None else spots[:limit])


def _rank_hot_spots(
    reports: Iterable[PlaceReport], key: str, limit: int | None
) -> tuple[HotSpot, ...]:
    shares = (
        (
            (report.place, report.area) if key == "place" else (report.area, None),
            (report.organisation,),
            report.count,
            report.count * report.concern.weight,
        )
        for report in reports
    )
    return rank_hot_spots(shares, limit=limit)


def hot_spot_places(
    reports: Iterable[PlaceReport], *, limit: int | None = 10
) -> tuple[HotSpot, ...]:
    """Rank places by score, then count, then number of reporting organisations."""
    return _rank_hot_spots(reports, "place", limit)


def hot_spot_areas(
    reports: Iterable[PlaceReport], *, limit: int | None = 10
) -> tuple[HotSpot, ...]:
    """Rank areas by score, then count, then number of reporting organisations."""
    return _rank_hot_spots(reports, "area", limit)


# --- distributions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    key: TimeOfDay | int
    count: int
    share: float


def _shares(rows: list[tuple[TimeOfDay | int, int]]) -> tuple[Share, ...]:
    total = sum(count for _, count in rows)
    return tuple(Share(key, count, count / total if total else 0.0) for key, count in rows)


def distribution_by_time_of_day(counts: Mapping[TimeOfDay | str, int]) -> tuple[Share, ...]:
    """Return counts and shares for natt, morgon, dag and kväll, in that order."""
    by_time: dict[TimeOfDay, int] = defaultdict(int)
    for key, count in counts.items():
        _check_count(count, "count")
        try:
            by_time[TimeOfDay(key)] += count
        except ValueError:
            raise ValueError(f"unknown time of day {key!r}") from None
    return _shares([(time, by_time[time]) for time in TimeOfDay])


def distribution_by_weekday(counts: Mapping[int, int]) -> tuple[Share, ...]:
    """Return counts and shares per ISO weekday (1 = Monday), Monday first."""
    for day, count in counts.items():
        _check_count(count, "count")
        if day not in range(1, 8):
            raise ValueError(f"ISO weekday must be 1..7, got {day!r}")
    return _shares([(day, counts.get(day, 0)) for day in range(1, 8)])


# --- partner participation -------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationStatus:
    organisation: str
    status: ReportStatus
    late: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", ReportStatus(self.status))
        if self.late and self.status is ReportStatus.MISSING:
            raise ValueError(f"{self.organisation}: a missing report cannot also be late")


@dataclass(frozen=True)
class ParticipationSummary:
    expected: int
    reported: int
    nothing_to_report: int
    missing: int
    late: int
    missing_organisations: tuple[str, ...]
    late_organisations: tuple[str, ...]

    @property
    def submitted(self) -> int:
        """Return how many organisations sent something, including "inget att rapportera"."""
        return self.reported + self.nothing_to_report

    @property
    def participation_rate(self) -> float | None:
        """Return the submitted share of expected organisations (None if none expected)."""
        return self.submitted / self.expected if self.expected else None


def summarise_participation(statuses: Iterable[OrganisationStatus]) -> ParticipationSummary:
    """Count reported, nothing-to-report, missing and late organisations for one week."""
    by_organisation: dict[str, OrganisationStatus] = {}
    for status in statuses:
        if status.organisation in by_organisation:
            raise ValueError(f"{status.organisation} has more than one status")
        by_organisation[status.organisation] = status
    rows = sorted(by_organisation.values(), key=lambda s: s.organisation)

    def with_status(wanted: ReportStatus) -> int:
        return sum(1 for row in rows if row.status is wanted)

    return ParticipationSummary(
        expected=len(rows),
        reported=with_status(ReportStatus.REPORTED),
        nothing_to_report=with_status(ReportStatus.NOTHING_TO_REPORT),
        missing=with_status(ReportStatus.MISSING),
        late=sum(1 for row in rows if row.late),
        missing_organisations=tuple(
            row.organisation for row in rows if row.status is ReportStatus.MISSING
        ),
        late_organisations=tuple(row.organisation for row in rows if row.late),
    )
