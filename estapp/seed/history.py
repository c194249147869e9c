"""Demo history: about 12 weeks of plausible reports for both demo kommuner, compiled.

Deterministic (one seeded Random), written with bulk inserts. Ekbacka shows klotter rising in
Centrum and a hot spot at Stora torget reported by several partners; Sjövik shows nedskräpning
at Badplatsen falling off after the summer.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from estapp.lagesbild import services
from estapp.models import (
    Area,
    Category,
    CompileReason,
    Municipality,
    Observation,
    Place,
    ReportStatus,
    WeeklyReport,
)
from estapp.weeks import IsoWeek

WEEKS = 12
SEED = 4711
TIMES = ("natt", "morgon", "dag", "kvall", "kvall")
CONCERNS = ("lag", "medel", "medel", "hog")
# (kommun, place, category, weekly mean at the start, change per week)
TRENDS = [
    ("ekbacka", "Stora torget", "Klotter", 1.0, 0.45),
    ("ekbacka", "Resecentrum", "Ungdomar som samlas eller stör", 2.0, 0.15),
    ("sjovik", "Badplatsen", "Nedskräpning", 5.0, -0.4),
]
BACKGROUND = 4.0  # further events per kommun and week, anywhere


def _poisson(rng: random.Random, mean: float) -> int:
    count, limit, product = 0, math.exp(-max(mean, 0.0)), rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def create_demo_history(session: Session, now: datetime, *, tz: ZoneInfo | None = None) -> None:
    """Create the reports of the last WEEKS weeks and compile their lägesbilder."""
    tz = tz or ZoneInfo("Europe/Stockholm")
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not a secret
    last = IsoWeek.containing(now, tz).shift(-1)
    weeks = [*last.previous(WEEKS - 1), last]
    for municipality in session.scalars(select(Municipality).order_by(Municipality.slug)):
        partners = sorted((o for o in municipality.organisations if o.active), key=lambda o: o.id)
        places = list(
            session.execute(
                select(Place.id, Place.name, Place.area_id)
                .join(Area)
                .where(Area.municipality_id == municipality.id)
                .order_by(Place.id)
            )
        )
        by_name = {name: (pid, area_id) for pid, name, area_id in places}
        categories = {
            c.name: c.id
            for c in session.scalars(
                select(Category).where(Category.municipality_id == municipality.id)
            )
        }
        for index, week in enumerate(weeks):
            events: list[tuple[int, int, int]] = []  # (place, area, category)
            for slug, place_name, category, start, slope in TRENDS:
                if slug == municipality.slug:
                    pid, area_id = by_name[place_name]
                    events += [(pid, area_id, categories[category])] * _poisson(
                        rng, start + slope * index
                    )
            for _ in range(_poisson(rng, BACKGROUND)):
                pid, _name, area_id = rng.choice(places)
                events.append((pid, area_id, rng.choice(list(categories.values()))))
            reporting = [p for p in partners if rng.random() < 0.85]
            report_ids = {}
            for partner in reporting:
                submitted = datetime.combine(week.sunday, datetime.min.time(), tzinfo=tz)
                submitted += timedelta(hours=rng.randint(8, 40))
                report_ids[partner.id] = session.execute(
                    insert(WeeklyReport)
                    .values(
                        municipality_id=municipality.id,
                        organisation_id=partner.id,
                        week_start=week.monday,
                        status=ReportStatus.SUBMITTED,
                        submitted_at=submitted,
                        late=rng.random() < 0.1,
                        created_at=submitted,
                        updated_at=submitted,
                    )
                    .returning(WeeklyReport.id)
                ).scalar_one()
            if not reporting:
                continue
            rows: list[dict[str, Any]] = []
            for pid, area_id, category_id in events:
                partner = rng.choice(reporting)
                day = week.monday + timedelta(days=rng.randrange(7))
                rows.append(
                    {
                        "report_id": report_ids[partner.id],
                        "municipality_id": municipality.id,
                        "organisation_id": partner.id,
                        "week_start": week.monday,
                        "occurred_on": day,
                        "time_of_day": rng.choice(TIMES),
                        "area_id": area_id,
                        "place_id": pid,
                        "category_id": category_id,
                        "description": "Demohändelse (påhittad).",
                        "occurrences": 1,
                        "concern": rng.choice(CONCERNS),
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            if rows:
                session.execute(insert(Observation), rows)
            # A report with no events is "inget att rapportera".
            used = {row["report_id"] for row in rows}
            for report_id in set(report_ids.values()) - used:
                session.get(WeeklyReport, report_id).status = ReportStatus.NOTHING_TO_REPORT
        session.flush()
        for week in weeks:
            picture, _ = services.compile_picture(
                session, municipality, week, reason=CompileReason.CLI, actor=None, now=now, tz=tz
            )
            if week != last:
                services.publish_picture(session, picture, actor=None, now=now)
