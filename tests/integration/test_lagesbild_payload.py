"""The lägesbild's figures as the coordinator reads them: hot spots, distributions, trend and
participation, checked by hand for one week and against every observation for many weeks."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import String, select, type_coerce

from estapp.lagesbild import statistics as stats
from estapp.lagesbild.queries import HOT_SPOT_LIMIT, TREND_WEEKS, build_payload
from estapp.models import Area, Category, Municipality, Observation, Organisation, Place
from estapp.seed.synthetic import SyntheticOptions, seed_synthetic
from tests.integration.lagesbild_support import (
    NOW,
    WEEK,
    category,
    committed,
    kommun,
    organisation,
    report,
)


def _other_place(db, municipality, org, area_name: str, occurrences: int, concern: str) -> None:
    """An observation at "Annan plats" (free text) in the area, added to the org's report."""
    weekly = report(db, municipality, org, WEEK, [("Nedskräpning", "Stora torget", 1)])
    area = db.scalar(
        select(Area).where(Area.municipality_id == municipality.id, Area.name == area_name)
    )
    db.add(
        Observation(
            report_id=weekly.id,
            municipality_id=municipality.id,
            organisation_id=org.id,
            week_start=WEEK.monday,
            occurred_on=WEEK.monday + timedelta(days=6),
            time_of_day="natt",
            area_id=area.id,
            place_id=None,
            other_place="Bakom containrarna",
            category_id=category(db, municipality, "Nedskräpning").id,
            description="Beskrivning som aldrig får hamna i lägesbilden",
            occurrences=occurrences,
            concern=concern,
        )
    )
    db.flush()


def test_hot_spots_weigh_concern_and_name_every_partner_that_reported(demo):
    db = demo
    ekbacka = kommun(db)
    police, school = organisation(db, "Polisen"), organisation(db, "Ekbacka kommun, barn")
    housing = organisation(db, "Ekbackahem")
    with committed(db):
        report(db, ekbacka, police, WEEK, [("Klotter", "Stora torget", 2)], concern="hog")
        report(db, ekbacka, school, WEEK, [("Klotter", "Stora torget", 3)], concern="lag")
        report(db, ekbacka, housing, WEEK, [("Skadegörelse", "Garagen", 4)], concern="medel")
        _other_place(db, ekbacka, housing, "Sjöängen", 5, "hog")
        organisation(db, "Tryggvakt").active = False
    payload = build_payload(db, ekbacka, WEEK)

    places = [
        (s["label"], s["area"], s["count"], s["score"], s["organisations"], s["several"])
        for s in payload["hot_spot_places"]
    ]
    # Stora torget: 2 hög + 3 låg + the housing company's 1 medel = 6 events, score 11.
    assert places == [
        ("Stora torget", "Centrum", 6, 11, sorted([police.name, school.name, housing.name]), True),
        ("Garagen", "Sjöängen", 4, 8, [housing.name], False),
    ]
    # The free-text place is never ranked as a place, but counts for its area.
    areas = {
        s["label"]: (s["count"], s["score"], s["organisations"]) for s in payload["hot_spot_areas"]
    }
    assert areas == {
        "Sjöängen": (9, 23, [housing.name]),
        "Centrum": (6, 11, sorted([police.name, school.name, housing.name])),
    }
    assert [s["label"] for s in payload["hot_spot_areas"]] == ["Sjöängen", "Centrum"]
    assert {row["label"]: row["count"] for row in payload["by_area"]}["Sjöängen"] == 9
    assert payload["total"] == 15 and payload["observations"] == 5
    times = {row["key"]: row["count"] for row in payload["by_time_of_day"]}
    assert times == {"natt": 5, "morgon": 0, "dag": 0, "kvall": 10}
    days = {row["day"]: row["count"] for row in payload["by_weekday"]}
    assert days == {1: 0, 2: 0, 3: 0, 4: 0, 5: 10, 6: 0, 7: 5}
    assert payload["trend"]["total"][-1] == 15
    assert payload["trend"]["by_category"]["Nedskräpning"][-1] == 6
    # An inactive partner is not expected to report; the others that did not are missing.
    participation = payload["participation"]
    assert participation["reported"] == 3 and participation["expected"] == 5
    assert not any(name.startswith("Tryggvakt") for name in participation["missing_organisations"])


# --- against every observation -----------------------------------------------------------------


def _reference(db, municipality: Municipality, week) -> dict:
    """The week's figures summed here, one observation at a time, with the pure statistics."""
    areas = dict(db.execute(select(Area.id, Area.name)).all())
    places = dict(db.execute(select(Place.id, Place.name)).all())
    names = dict(db.execute(select(Organisation.id, Organisation.name)).all())
    categories = dict(db.execute(select(Category.id, Category.name)).all())
    rows = db.scalars(
        select(Observation).where(
            Observation.municipality_id == municipality.id,
            Observation.week_start == week.monday,
        )
    ).all()
    by_area: dict[str, int] = defaultdict(int)
    by_category: dict[str, int] = defaultdict(int)
    by_time: dict[str, int] = defaultdict(int)
    by_day: dict[int, int] = defaultdict(int)
    reports = []
    for row in rows:
        by_area[areas[row.area_id]] += row.occurrences
        by_category[categories[row.category_id]] += row.occurrences
        by_time[row.time_of_day.value] += row.occurrences
        by_day[row.occurred_on.isoweekday()] += row.occurrences
        place = places[row.place_id] if row.place_id is not None else ""
        reports.append(
            stats.PlaceReport(
                place,
                areas[row.area_id],
                names[row.organisation_id],
                row.concern.value,
                row.occurrences,
            )
        )
    named = [r for r in reports if r.place]

    def spots(ranked):
        return [(s.label, s.area, s.count, s.score, list(s.organisations)) for s in ranked]

    return {
        "observations": len(rows),
        "total": sum(by_area.values()),
        "by_area": dict(by_area),
        "by_category": dict(by_category),
        "by_time_of_day": {t.value: by_time[t.value] for t in stats.TimeOfDay},
        "by_weekday": {day: by_day[day] for day in range(1, 8)},
        "hot_spot_places": spots(stats.hot_spot_places(named, limit=HOT_SPOT_LIMIT)),
        "hot_spot_areas": spots(stats.hot_spot_areas(reports, limit=None)),
    }


def _shown(payload: dict) -> dict:
    def spots(rows):
        return [(s["label"], s["area"], s["count"], s["score"], s["organisations"]) for s in rows]

    return {
        "observations": payload["observations"],
        "total": payload["total"],
        "by_area": {row["label"]: row["count"] for row in payload["by_area"] if row["count"]},
        "by_category": {
            row["label"]: row["count"] for row in payload["by_category"] if row["count"]
        },
        "by_time_of_day": {row["key"]: row["count"] for row in payload["by_time_of_day"]},
        "by_weekday": {row["day"]: row["count"] for row in payload["by_weekday"]},
        "hot_spot_places": spots(payload["hot_spot_places"]),
        "hot_spot_areas": spots(payload["hot_spot_areas"]),
    }


@pytest.fixture
def synthetic_city(db, settings):
    """A synthetic kommun: a dozen partners, many places, free-text places, all concern levels."""
    options = SyntheticOptions(kommuner=1, partners=12, weeks=16, per_week=15, seed=5)
    (created,) = seed_synthetic(db, settings, options, now=NOW)
    return db.scalar(select(Municipality).where(Municipality.slug == created.slug))


def test_every_figure_matches_the_observations_week_by_week(db, synthetic_city):
    weeks = [*WEEK.previous(3), WEEK]
    # The data has what the figures must handle: free-text places and every concern level.
    kinds = db.execute(
        select(Observation.place_id.is_(None), type_coerce(Observation.concern, String))
        .where(
            Observation.municipality_id == synthetic_city.id,
            Observation.week_start.in_([w.monday for w in weeks]),
        )
        .distinct()
    ).all()
    assert {free for free, _ in kinds} == {True, False}
    assert {concern for _, concern in kinds} == {level.value for level in stats.ConcernLevel}
    for week in weeks:
        payload = build_payload(db, synthetic_city, week)
        assert _shown(payload) == _reference(db, synthetic_city, week), str(week)
        trend = [*week.previous(TREND_WEEKS - 1), week]
        totals = [_reference(db, synthetic_city, w)["total"] for w in trend]
        assert payload["trend"]["total"] == totals
        assert payload["trend"]["weeks"][-1] == str(week)
