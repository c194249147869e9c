import math
from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from estapp.lagesbild.statistics import (
    CategoryAreaCount,
    ConcernLevel,
    Deviation,
    OrganisationStatus,
    PlaceReport,
    ReportStatus,
    TimeOfDay,
    WeeklySeries,
    compare_with_baseline,
    distribution_by_time_of_day,
    distribution_by_weekday,
    hot_spot_areas,
    hot_spot_places,
    poisson_at_least,
    poisson_at_most,
    rank_hot_spots,
    summarise_participation,
    totals_by_area,
    totals_by_category,
)
from estapp.weeks import IsoWeek

W47 = IsoWeek(2026, 47)
W01 = IsoWeek(2026, 1)


def exact_at_most(k: int, mean: int) -> Decimal:
    """Sum the Poisson pmf with 80-digit decimals, as an independent reference."""
    with localcontext() as ctx:
        ctx.prec = 80
        term = (-Decimal(mean)).exp()
        total = term
        for i in range(1, k + 1):
            term = term * mean / i
            total += term
        return total


# --- Poisson ---------------------------------------------------------------------------------


def test_poisson_upper_tail_matches_hand_computation():
    # P(X >= 10 | mean 4) = 1 - e^-4 * sum_{i=0}^{9} 4^i / i!
    #   4^i/i! for i = 0..9: 1, 4, 8, 10.6667, 10.6667, 8.5333, 5.6889, 3.2508, 1.6254, 0.7224
    #   sum = 54.1542;  e^-4 = 0.0183156;  54.1542 * 0.0183156 = 0.991868
    #   P = 1 - 0.991868 = 0.008132
    assert poisson_at_least(10, 4) == pytest.approx(0.0081322, abs=1e-7)


def test_poisson_small_cases_by_hand():
    # P(X >= 4 | 1) = 1 - e^-1 (1 + 1 + 1/2 + 1/6) = 1 - 0.367879 * 2.666667 = 0.018988
    assert poisson_at_least(4, 1) == pytest.approx(0.018988, abs=1e-6)
    # P(X <= 0 | 6) = e^-6 = 0.0024788
    assert poisson_at_most(0, 6) == pytest.approx(0.0024788, abs=1e-7)
    # P(X <= 1 | 4) = e^-4 (1 + 4) = 0.091578
    assert poisson_at_most(1, 4) == pytest.approx(0.091578, abs=1e-6)


def test_poisson_edge_cases():
    assert poisson_at_least(0, 3.5) == 1.0
    assert poisson_at_most(-1, 3.5) == 0.0
    assert poisson_at_most(0, 0) == 1.0
    assert poisson_at_least(1, 0) == 0.0
    with pytest.raises(ValueError):
        poisson_at_most(2, -1.0)
    with pytest.raises(ValueError):
        poisson_at_least(2, math.nan)


@pytest.mark.parametrize(
    ("k", "mean"), [(2400, 2500), (2500, 2500), (2650, 2500), (4900, 5000), (90, 40)]
)
def test_poisson_stays_accurate_for_large_means(k, mean):
    expected = exact_at_most(k, mean)
    assert poisson_at_most(k, mean) == pytest.approx(float(expected), rel=1e-9)
    assert poisson_at_least(k + 1, mean) == pytest.approx(float(1 - expected), rel=1e-9)


def test_far_upper_tail_is_tiny_but_not_lost_to_cancellation():
    # 1 - P(X <= 99) would round to 0.0; summing the tail keeps about e^-1 / 100! ≈ 3.9e-159.
    direct = math.exp(-1 - math.lgamma(101)) * (1 + 1 / 101 + 1 / (101 * 102))
    assert poisson_at_least(100, 1) == pytest.approx(direct, rel=1e-6)


@given(k=st.integers(min_value=0, max_value=6000), mean=st.floats(min_value=0.01, max_value=5000))
def test_poisson_tails_are_complementary(k, mean):
    lower, upper = poisson_at_most(k, mean), poisson_at_least(k + 1, mean)
    assert 0.0 <= lower <= 1.0
    assert 0.0 <= upper <= 1.0
    assert lower + upper == pytest.approx(1.0, abs=1e-12)


# --- totals ----------------------------------------------------------------------------------


def test_totals_by_category_and_area_are_summed_and_ranked():
    cells = [
        CategoryAreaCount("klotter", "Centrum", 4),
        CategoryAreaCount("klotter", "Norr", 3),
        CategoryAreaCount("skadegörelse", "Centrum", 7),
        CategoryAreaCount("anlagd brand", "Norr", 0),
        CategoryAreaCount("nedskräpning", "Norr", 7),
    ]
    assert [(t.label, t.count) for t in totals_by_category(cells)] == [
        ("klotter", 7),
        ("nedskräpning", 7),
        ("skadegörelse", 7),
        ("anlagd brand", 0),
    ]
    assert [(t.label, t.count) for t in totals_by_area(cells)] == [("Centrum", 11), ("Norr", 10)]


def test_negative_count_is_rejected():
    with pytest.raises(ValueError):
        CategoryAreaCount("klotter", "Centrum", -1)


# --- baseline --------------------------------------------------------------------------------


def series(counts, first_week=W01):
    return WeeklySeries(first_week, counts)


def eight_weeks(*values):
    """Counts for the eight weeks before 2026-W47 (W39..W46), oldest first."""
    return dict(zip(W47.previous(8), values, strict=True))


def test_unusually_high_when_poisson_tail_is_small():
    # Baseline W39..W46: 3+5+4+2+6+4+3+5 = 32, mean 32/8 = 4.0; P(X >= 10 | 4) = 0.0081 < 0.05.
    counts = eight_weeks(3, 5, 4, 2, 6, 4, 3, 5) | {W47: 10}
    result = compare_with_baseline(series(counts), W47, label="klotter")
    assert result.baseline_mean == 4.0
    assert result.baseline_weeks == 8
    assert result.count == 10
    assert result.p_high == pytest.approx(0.0081322, abs=1e-7)
    assert result.deviation is Deviation.UNUSUALLY_HIGH
    assert result.change == 6.0
    assert result.relative_change == 1.5
    assert result.label == "klotter"


def test_ordinary_week_is_not_flagged():
    counts = eight_weeks(3, 5, 4, 2, 6, 4, 3, 5) | {W47: 6}
    # P(X >= 6 | 4) = 1 - e^-4 (1 + 4 + 8 + 10.667 + 10.667 + 8.533) = 1 - 0.785 = 0.215
    result = compare_with_baseline(series(counts), W47)
    assert result.p_high == pytest.approx(0.2149, abs=1e-4)
    assert result.deviation is Deviation.NORMAL


def test_doubling_small_numbers_is_never_unusual():
    # Mean 1: count 2 is +100 % but P(X >= 2 | 1) = 0.26; count 4 gives P = 0.019 < 0.05, yet
    # four events are below the minimum of five needed for a "high" flag.
    for count in (2, 4):
        result = compare_with_baseline(series(eight_weeks(*[1] * 8) | {W47: count}), W47)
        assert result.deviation is Deviation.NORMAL
    assert result.p_high == pytest.approx(0.018988, abs=1e-6)


def test_unusually_low_needs_a_baseline_of_at_least_five():
    # Mean 6, count 0: P(X <= 0 | 6) = e^-6 = 0.0025 < 0.05 → low.
    low = compare_with_baseline(series(eight_weeks(*[6] * 8)), W47)
    assert low.count == 0
    assert low.p_low == pytest.approx(0.0024788, abs=1e-7)
    assert low.deviation is Deviation.UNUSUALLY_LOW
    # Mean 4, count 0: P = e^-4 = 0.018 < 0.05, but a mean below five never gives "low".
    quiet = compare_with_baseline(series(eight_weeks(*[4] * 8)), W47)
    assert quiet.p_low == pytest.approx(0.0183156, abs=1e-7)
    assert quiet.deviation is Deviation.NORMAL


def test_weeks_missing_from_the_counts_are_zero():
    # Only W45 and W46 had events (16 each): mean over the eight weeks is 32/8 = 4.0.
    counts = {IsoWeek(2026, 45): 16, IsoWeek(2026, 46): 16, W47: 10}
    result = compare_with_baseline(series(counts), W47)
    assert result.baseline_mean == 4.0
    assert result.deviation is Deviation.UNUSUALLY_HIGH


def test_weeks_before_reporting_began_are_left_out():
    # Reporting began in W44: baseline W44..W46 = (2 + 3 + 1) / 3 = 2.0 from three weeks, which
    # is too few to flag even a count of 30.
    counts = {IsoWeek(2026, 44): 2, IsoWeek(2026, 45): 3, IsoWeek(2026, 46): 1, W47: 30}
    result = compare_with_baseline(series(counts, first_week=IsoWeek(2026, 44)), W47)
    assert result.baseline_weeks == 3
    assert result.baseline_mean == 2.0
    assert result.deviation is Deviation.NORMAL
    assert result.last_year_count is None


def test_first_week_has_no_baseline():
    result = compare_with_baseline(series({W47: 3}, first_week=W47), W47)
    assert result.baseline_mean is None
    assert result.p_high is None
    assert result.change is None
    assert result.relative_change is None
    assert result.deviation is Deviation.NORMAL


def test_same_week_last_year_when_data_exists():
    counts = {IsoWeek(2025, 47): 7, W47: 3}
    result = compare_with_baseline(series(counts, first_week=IsoWeek(2025, 1)), W47)
    assert result.last_year_count == 7


def test_baseline_crosses_the_new_year():
    # 2026-W02's eight previous weeks are 2025-W46..W52 and 2026-W01 (2025 has 52 weeks).
    counts = {IsoWeek(2025, 45): 100, IsoWeek(2025, 52): 8, IsoWeek(2026, 1): 8}
    result = compare_with_baseline(series(counts, IsoWeek(2025, 1)), IsoWeek(2026, 2))
    assert result.baseline_mean == 2.0


def test_week_before_reporting_began_is_an_error():
    with pytest.raises(ValueError):
        compare_with_baseline(series({}, first_week=W47), IsoWeek(2026, 46))


# --- hot spots -------------------------------------------------------------------------------


REPORTS = [
    PlaceReport("Torget", "Centrum", "Skolan", ConcernLevel.LOW, 4),
    PlaceReport("Torget", "Centrum", "Polisen", ConcernLevel.HIGH, 2),
    PlaceReport("Stationen", "Centrum", "Bostadsbolaget", ConcernLevel.MEDIUM, 5),
    PlaceReport("Parken", "Norr", "Fritid", ConcernLevel.HIGH, 3),
    PlaceReport("Skolgården", "Norr", "Skolan", "lag", 8),
]


def test_hot_spot_places_rank_by_score_then_count():
    # Torget 4×1 + 2×3 = 10 (6 events), Stationen 5×2 = 10 (5 events),
    # Parken 3×3 = 9, Skolgården 8×1 = 8.
    spots = hot_spot_places(REPORTS)
    assert [(s.label, s.score, s.count) for s in spots] == [
        ("Torget", 10, 6),
        ("Stationen", 10, 5),
        ("Parken", 9, 3),
        ("Skolgården", 8, 8),
    ]
    assert spots[0].organisations == ("Polisen", "Skolan")
    assert [s.reported_by_several for s in spots] == [True, False, False, False]
    assert spots[0].area == "Centrum"


def test_hot_spot_areas_sum_their_places():
    # Centrum 10 + 10 = 20 (11 events, 3 partners); Norr 9 + 8 = 17 (11 events, 2 partners).
    spots = hot_spot_areas(REPORTS)
    assert [(s.label, s.score, s.count, s.area) for s in spots] == [
        ("Centrum", 20, 11, None),
        ("Norr", 17, 11, None),
    ]
    assert all(s.reported_by_several for s in spots)


def test_corroboration_breaks_ties_and_limit_cuts():
    reports = [
        PlaceReport("A-gatan", "Syd", "Skolan", ConcernLevel.MEDIUM, 2),
        PlaceReport("B-gatan", "Syd", "Skolan", ConcernLevel.MEDIUM, 1),
        PlaceReport("B-gatan", "Syd", "Polisen", ConcernLevel.MEDIUM, 1),
    ]
    assert [s.label for s in hot_spot_places(reports)] == ["B-gatan", "A-gatan"]
    assert [s.label for s in hot_spot_places(reports, limit=1)] == ["B-gatan"]


def test_same_place_name_in_two_areas_is_two_spots():
    reports = [
        PlaceReport("Torget", "Centrum", "Skolan", ConcernLevel.LOW, 1),
        PlaceReport("Torget", "Norr", "Polisen", ConcernLevel.LOW, 1),
    ]
    spots = hot_spot_places(reports)
    assert [(s.label, s.area) for s in spots] == [("Torget", "Centrum"), ("Torget", "Norr")]
    assert not any(s.reported_by_several for s in spots)


_REPORT = st.builds(
    PlaceReport,
    place=st.sampled_from(["Torget", "Parken", "Stationen"]),
    area=st.sampled_from(["Centrum", "Norr"]),
    organisation=st.sampled_from(["Skolan", "Polisen", "Fritid"]),
    concern=st.sampled_from(list(ConcernLevel)),
    count=st.integers(min_value=0, max_value=40),
)


@given(reports=st.lists(_REPORT, max_size=40), limit=st.sampled_from([None, 1, 3]))
def test_spots_ranked_from_sums_per_place_match_the_single_reports(reports, limit):
    # The lägesbild sums each place's events and scores in the database and lists who reported
    # there; the ranking must not change for being handed those sums instead of every report.
    summed: dict[tuple, list] = {}
    for report in reports:
        entry = summed.setdefault((report.place, report.area), [0, 0, set()])
        entry[0] += report.count
        entry[1] += report.count * report.concern.weight
        if report.count:
            entry[2].add(report.organisation)
    shares = [(spot, sorted(orgs), count, score) for spot, (count, score, orgs) in summed.items()]
    assert rank_hot_spots(shares, limit=limit) == hot_spot_places(reports, limit=limit)


def test_an_organisation_with_no_events_at_a_spot_is_not_named():
    shares = [
        (("Torget", "Centrum"), ["Skolan"], 3, 3),
        (("Torget", "Centrum"), ["Polisen"], 0, 0),
    ]
    (spot,) = rank_hot_spots(shares, limit=None)
    assert spot.organisations == ("Skolan",) and not spot.reported_by_several


# --- distributions ---------------------------------------------------------------------------


def test_time_of_day_in_fixed_order_with_shares():
    shares = distribution_by_time_of_day({"kvall": 6, "natt": 2, TimeOfDay.DAY: 2})
    assert [(s.key, s.count, s.share) for s in shares] == [
        (TimeOfDay.NIGHT, 2, 0.2),
        (TimeOfDay.MORNING, 0, 0.0),
        (TimeOfDay.DAY, 2, 0.2),
        (TimeOfDay.EVENING, 6, 0.6),
    ]
    with pytest.raises(ValueError):
        distribution_by_time_of_day({"eftermiddag": 1})


def test_weekday_monday_first():
    shares = distribution_by_weekday({5: 3, 6: 1})
    assert [s.key for s in shares] == [1, 2, 3, 4, 5, 6, 7]
    assert [s.count for s in shares] == [0, 0, 0, 0, 3, 1, 0]
    assert shares[4].share == 0.75
    assert all(s.share == 0.0 for s in distribution_by_weekday({}))
    with pytest.raises(ValueError):
        distribution_by_weekday({0: 1})


# --- participation ---------------------------------------------------------------------------


def test_participation_summary():
    summary = summarise_participation(
        [
            OrganisationStatus("Polisen", ReportStatus.REPORTED),
            OrganisationStatus("Bostadsbolaget", ReportStatus.REPORTED, late=True),
            OrganisationStatus("Fritid", "inget_att_rapportera"),
            OrganisationStatus("Skolan", ReportStatus.MISSING),
            OrganisationStatus("Socialtjänsten", ReportStatus.NOTHING_TO_REPORT, late=True),
        ]
    )
    assert (summary.expected, summary.reported, summary.nothing_to_report) == (5, 2, 2)
    assert (summary.missing, summary.late, summary.submitted) == (1, 2, 4)
    assert summary.participation_rate == 0.8
    assert summary.missing_organisations == ("Skolan",)
    assert summary.late_organisations == ("Bostadsbolaget", "Socialtjänsten")


def test_participation_rejects_contradictions():
    with pytest.raises(ValueError):
        OrganisationStatus("Skolan", ReportStatus.MISSING, late=True)
    with pytest.raises(ValueError):
        summarise_participation(
            [
                OrganisationStatus("Skolan", ReportStatus.REPORTED),
                OrganisationStatus("Skolan", ReportStatus.MISSING),
            ]
        )
    assert summarise_participation([]).participation_rate is None
