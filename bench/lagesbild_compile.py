"""Compiling one week's lägesbild over years of history, beside one raw SQL GROUP BY.

The floor is the least a compile could do: a single GROUP BY, in SQL written by hand, over the
same rows the compile reads (the kommun's observations in the weeks its trend, baseline and
last-year comparison need). The compile itself runs as the scheduler runs it
(``compile_picture``: aggregate, build the payload, write the version and its audit row), and
is rolled back after each run so every run does the whole job.

Target (issue 8): at 1.3 million observations, ≤ 300 ms on PostgreSQL and ≤ 3 × the floor.
"""

from __future__ import annotations

from sqlalchemy import bindparam, delete, func, select, text

from bench.dataset import Dataset, municipality_of
from bench.report import Report, count, median, ms, p95, timed

TARGET_SECONDS = 0.300
TARGET_RATIO = 3.0
FLOOR_SQL = text(
    "SELECT week_start, category_id, SUM(occurrences) FROM observation"
    " WHERE municipality_id = :kommun AND week_start IN :weeks"
    " GROUP BY week_start, category_id"
).bindparams(bindparam("weeks", expanding=True))


def weeks_read(week):
    """The weeks one compile aggregates: its trend window, baseline and the same week a year
    ago."""
    from estapp.lagesbild.queries import BASELINE_WEEKS, TREND_WEEKS

    weeks = [*week.previous(max(TREND_WEEKS - 1, BASELINE_WEEKS)), week]
    last_year = week.same_week_last_year()
    return weeks + ([last_year] if last_year else [])


def measure(dataset: Dataset, slug: str, runs: int) -> tuple[list[float], list[float], int]:
    """Times of the compile and of its floor for the kommun's last week, and its observations."""
    from estapp.db import utcnow
    from estapp.lagesbild.services import compile_picture
    from estapp.models import CompileReason, Observation, SituationPicture
    from estapp.weeks import IsoWeek

    settings = dataset.settings
    session = dataset.session()
    try:
        municipality = municipality_of(session, slug)
        now = utcnow()
        week = IsoWeek.containing(now, settings.tz).shift(-1)
        observations = session.scalar(
            select(func.count(Observation.id)).where(Observation.municipality_id == municipality.id)
        )
        # Without an earlier version every run builds and writes a version, as on a Monday.
        session.execute(
            delete(SituationPicture).where(
                SituationPicture.municipality_id == municipality.id,
                SituationPicture.week_start == week.monday,
            )
        )
        session.commit()
        parameters = {"kommun": municipality.id, "weeks": [w.monday for w in weeks_read(week)]}

        def floor() -> None:
            session.execute(FLOOR_SQL, parameters).all()
            session.rollback()

        def compile_once() -> None:
            municipality_now = municipality_of(session, slug)
            _picture, created = compile_picture(
                session,
                municipality_now,
                week,
                reason=CompileReason.CLI,
                actor=None,
                now=now,
                tz=settings.tz,
            )
            assert created
            session.rollback()

        floor_times: list[float] = []
        compile_times: list[float] = []
        # Interleaved, so both see the same caches and the same load on the machine.
        for _ in range(runs):
            floor_times += timed(floor, 1)
            compile_times += timed(compile_once, 1)
    finally:
        session.close()
        session.get_bind().dispose()
    return compile_times, floor_times, observations or 0


def run(dataset: Dataset, report: Report) -> None:
    backend = dataset.backend
    report.heading(f"Sammanställning av en veckas lägesbild ({backend.name})")
    times, floor, observations = measure(dataset, dataset.slug, dataset.size.runs)
    print(f"  {count(observations)} händelser i kommunen; {len(times)} körningar per fall")
    report.table(
        [
            ("golv: en GROUP BY i SQL över samma rader", floor, None),
            ("sammanställning (compile_picture)", times, floor),
        ]
    )
    ratio = median(times) / median(floor)
    report.verdict(
        backend.name,
        "sammanställning",
        f"p95 ≤ {ms(TARGET_SECONDS)} och median ≤ {TARGET_RATIO:g} × golvet",
        f"p95 {ms(p95(times))}, {ratio:.2f} × golvet, {count(observations)} händelser",
        p95(times) <= TARGET_SECONDS and ratio <= TARGET_RATIO,
        applies=backend.is_postgresql,
    )
