"""Demo history: twelve weeks, a visible trend, a hot spot seen by several partners."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import distinct, func, select

from estapp.db import utcnow
from estapp.models import Municipality, Observation, PictureStatus, SituationPicture
from estapp.seed.history import create_demo_history
from estapp.weeks import IsoWeek
from tests.integration.lagesbild_support import NOW, committed


def test_demo_history_is_compiled_with_a_trend_and_a_shared_hot_spot(demo):
    db = demo
    with committed(db):
        create_demo_history(db, NOW)
    pictures = db.scalars(select(SituationPicture).order_by(SituationPicture.week_start)).all()
    assert len(pictures) == 24  # 12 weeks × 2 kommuner
    drafts = [p for p in pictures if p.status == PictureStatus.DRAFT]
    assert len(drafts) == 2 and all(p.week_start == pictures[-1].week_start for p in drafts)
    ekbacka = next(p for p in drafts if p.payload["municipality"]["name"] == "Ekbacka")
    klotter = ekbacka.payload["trend"]["by_category"]["Klotter"]
    assert sum(klotter[-4:]) > sum(klotter[:4])  # rising
    top = ekbacka.payload["hot_spot_places"][0]
    assert top["label"] == "Stora torget" and top["several"]
    assert db.scalar(select(func.count()).select_from(SituationPicture)) == 24


def test_seed_demo_creates_twelve_weeks_and_their_lagesbilder(app, db):
    from estapp.cli import cli

    result = app.test_cli_runner().invoke(cli, ["seed", "demo"])
    assert result.exit_code == 0, result.output
    last = IsoWeek.containing(utcnow(), ZoneInfo("Europe/Stockholm")).shift(-1)
    weeks_with_events = dict(
        db.execute(
            select(Municipality.slug, func.count(distinct(Observation.week_start)))
            .join(Observation, Observation.municipality_id == Municipality.id)
            .group_by(Municipality.slug)
        ).all()
    )
    assert set(weeks_with_events) == {"ekbacka", "sjovik"}
    assert all(10 <= n <= 12 for n in weeks_with_events.values()), weeks_with_events
    for municipality in db.scalars(select(Municipality)):
        pictures = db.scalars(
            select(SituationPicture)
            .where(SituationPicture.municipality_id == municipality.id)
            .order_by(SituationPicture.week_start)
        ).all()
        assert len(pictures) == 12 and pictures[-1].week_start == last.monday
        assert all(p.status == PictureStatus.PUBLISHED for p in pictures[:-1])
        assert pictures[-1].status == PictureStatus.DRAFT  # this week's is left to the coordinator
        if municipality.slug == "ekbacka":
            spots = pictures[-1].payload["hot_spot_places"]
            shared = [s for s in spots if s["several"] and len(set(s["organisations"])) >= 2]
            assert shared, f"no hot spot reported by two or more partners: {spots}"
