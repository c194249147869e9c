"""``estapp seed synthetic``: large synthetic kommuner, valid for everything the app reads."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest
from sqlalchemy import func, select

from estapp.auth.passwords import verify_password
from estapp.cli import cli
from estapp.db import utcnow
from estapp.models import (
    Area,
    Category,
    Municipality,
    Observation,
    Organisation,
    Place,
    ReportStatus,
    Role,
    SituationPicture,
    User,
    WeeklyReport,
)
from estapp.seed.synthetic import SyntheticOptions, SyntheticRefused, seed_synthetic
from estapp.weeks import IsoWeek
from tests.conftest import DEMO_PASSWORD

SMALL = ["--partners", "6", "--weeks", "5", "--per-week", "4", "--seed", "11"]


def _run(app, *arguments: str):
    return app.test_cli_runner().invoke(cli, ["seed", "synthetic", *arguments])


def _kommun(db, slug: str) -> Municipality:
    db.rollback()
    return db.scalar(select(Municipality).where(Municipality.slug == slug))


def test_the_command_creates_a_kommun_with_weeks_of_valid_reports(app, db, settings):
    result = _run(app, *SMALL)
    assert result.exit_code == 0, result.output
    assert "samordnare@syntetstad-1.example" in result.output
    assert "120 händelser på" in result.output and "per sekund" in result.output  # the rate
    kommun = _kommun(db, "syntetstad-1")
    partners = db.scalars(
        select(Organisation).where(Organisation.municipalities.any(id=kommun.id))
    ).all()
    assert len(partners) == 6
    # Every partner has a reporter who logs in with the demo password; the kommun a coordinator.
    users = db.scalars(select(User).where(User.email.like("%@syntetstad-1.example"))).all()
    assert Counter(u.role for u in users) == {Role.REPORTER: 6, Role.COORDINATOR: 1}
    assert all(verify_password(u.password_hash, DEMO_PASSWORD) for u in users)

    last = IsoWeek.containing(utcnow(), settings.tz).shift(-1)
    weeks = {w.monday for w in [*last.previous(4), last]}
    reports = db.scalars(select(WeeklyReport).where(WeeklyReport.municipality_id == kommun.id))
    reports = list(reports)
    assert {r.week_start for r in reports} <= weeks
    assert {r.status for r in reports} <= {ReportStatus.SUBMITTED, ReportStatus.NOTHING_TO_REPORT}
    assert all(r.submitted_at and r.submitted_at.date() > r.week_start for r in reports)

    observations = db.scalars(
        select(Observation).where(Observation.municipality_id == kommun.id)
    ).all()
    by_report = {r.id: r for r in reports}
    places = {
        p.id: p
        for p in db.scalars(select(Place).join(Area).where(Area.municipality_id == kommun.id))
    }
    categories = {c.id for c in kommun.categories}
    # 6 partners × 5 weeks × 4, spread over the partners that reported each week.
    assert len(observations) == 6 * 5 * 4
    for o in observations:
        report = by_report[o.report_id]
        assert report.status == ReportStatus.SUBMITTED
        assert (o.organisation_id, o.week_start) == (report.organisation_id, report.week_start)
        assert IsoWeek.of(o.week_start).contains(o.occurred_on)
        assert o.category_id in categories
        if o.place_id is None:
            assert o.other_place
        else:
            assert places[o.place_id].area_id == o.area_id
    # The spread is not flat: some places and categories draw more than others.
    assert len({o.place_id for o in observations}) > 5
    assert len({o.category_id for o in observations}) > 3

    picture = db.scalar(
        select(SituationPicture).where(SituationPicture.municipality_id == kommun.id)
    )
    assert picture.week_start == last.monday
    assert picture.payload["observations"] == sum(o.week_start == last.monday for o in observations)


def test_the_same_seed_gives_the_same_data(app, db):
    assert _run(app, *SMALL).exit_code == 0
    assert _run(app, *SMALL, "--allow-existing").exit_code == 0

    def content(slug: str) -> Counter:
        kommun = _kommun(db, slug)
        rows = db.execute(
            select(
                Observation.week_start,
                Observation.occurred_on,
                Observation.time_of_day,
                Category.name,
                Place.name,
                Observation.occurrences,
                Observation.concern,
            )
            .join(Category, Category.id == Observation.category_id)
            .outerjoin(Place, Place.id == Observation.place_id)
            .where(Observation.municipality_id == kommun.id)
        )
        return Counter(tuple(row) for row in rows)

    assert content("syntetstad-1") == content("syntetstad-2")
    assert db.scalar(select(func.count()).select_from(Municipality)) == 2


def test_a_database_with_data_is_refused_unless_asked(app, db, demo):
    result = _run(app, *SMALL)
    assert result.exit_code != 0
    assert "databasen har redan data" in result.output
    assert "--allow-existing" in result.output
    assert _kommun(db, "syntetstad-1") is None


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--weeks", "0"], "--weeks ska vara ett heltal från 1 till 1040"),
        (["--partners", "många"], "--partners ska vara ett heltal"),
        (["--kommuner", "51"], "--kommuner ska vara ett heltal från 1 till 50"),
        (["--partners", "500", "--weeks", "1040", "--per-week", "1000"], "högst 50 000 000"),
    ],
)
def test_bad_options_give_one_swedish_line(app, db, arguments, message):
    result = _run(app, *arguments)
    assert result.exit_code != 0
    assert message in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "Traceback" not in result.output
    assert db.scalar(select(func.count()).select_from(Municipality)) == 0


def test_synthetic_data_is_never_written_in_production(db, settings):
    production = dataclasses.replace(settings, env="production")
    with pytest.raises(SyntheticRefused, match="aldrig i produktion"):
        seed_synthetic(db, production, SyntheticOptions(1, 2, 1, 1), now=utcnow())
    assert db.scalar(select(func.count()).select_from(Municipality)) == 0
