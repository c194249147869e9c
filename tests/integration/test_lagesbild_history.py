"""Demo history: twelve weeks, a visible trend, a hot spot seen by several partners."""

from __future__ import annotations

from sqlalchemy import func, select

from estapp.models import PictureStatus, SituationPicture
from estapp.seed.history import create_demo_history
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
