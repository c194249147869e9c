"""Time and peak memory of the lägesbild PDF: the demo week and a heavy week, beside the floor.

The floor is an empty WeasyPrint document rendered in the same run, in the same kind of process,
so the ratios say what our templates cost on this machine rather than how fast the machine is.
Each case runs in its own subprocess so that its peak RSS is its own. The data (the demo and a
heavy kommun) lives in a throwaway database of the backend being measured.

Target (issues 5 and 8): the heavy week ≤ 1.5 s and ≤ 300 MB peak memory.
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.databases import Backend
from bench.dataset import bench_settings
from bench.report import Report, p95
from bench.sizes import Size

MAX_RUNS = 10
HEAVY_AREAS = 40
HEAVY_OBSERVATIONS = 400  # in the heavy week; the 12 weeks before get a quarter of that each
TARGET_SECONDS = 1.5
TARGET_MB = 300


def _square(column: int, row: int) -> dict:
    lon, lat, size = 13.0 + column * 0.02, 58.0 + row * 0.02, 0.018
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _heavy_kommun(session, municipality, week, rng: random.Random) -> None:
    """40 areas with polygons, two or more places each, and hundreds of observations over 13
    weeks."""
    from sqlalchemy import select

    from estapp.models import Area, Category, Observation, Place, ReportStatus, WeeklyReport

    # The kommun's demo areas count towards the 40 and get observations like the new ones.
    existing = list(session.scalars(select(Area).where(Area.municipality_id == municipality.id)))
    places = [place for area in existing for place in area.places]
    for number in range(HEAVY_AREAS - len(existing)):
        area = Area(
            municipality_id=municipality.id,
            name=f"Område {number + 1:02d}",
            geojson=_square(number % 8, number // 8),
        )
        session.add(area)
        session.flush()
        for letter in "AB":
            place = Place(area_id=area.id, name=f"Plats {number + 1:02d}{letter}")
            session.add(place)
            places.append(place)
    session.flush()
    categories = list(
        session.scalars(select(Category).where(Category.municipality_id == municipality.id))
    )
    organisations = list(municipality.organisations)
    for back in range(13):
        current = week.shift(-back)
        wanted = HEAVY_OBSERVATIONS if back == 0 else HEAVY_OBSERVATIONS // 4
        reports = {
            report.organisation_id: report
            for report in session.scalars(
                select(WeeklyReport).where(
                    WeeklyReport.municipality_id == municipality.id,
                    WeeklyReport.week_start == current.monday,
                )
            )
        }
        for organisation in organisations:
            if organisation.id not in reports:  # the demo history may already have one
                reports[organisation.id] = WeeklyReport(
                    municipality_id=municipality.id,
                    organisation_id=organisation.id,
                    week_start=current.monday,
                )
                session.add(reports[organisation.id])
            reports[organisation.id].status = ReportStatus.SUBMITTED
            reports[organisation.id].submitted_at = datetime.combine(
                current.sunday, datetime.min.time(), tzinfo=UTC
            )
        session.flush()
        for number in range(wanted):
            organisation = rng.choice(organisations)
            # In the heavy week every place gets three first, so no area is under the suppression
            # threshold and the area map is drawn, as it would be in a busy kommun.
            spread = back == 0 and number < 3 * len(places)
            place = places[number % len(places)] if spread else rng.choice(places)
            session.add(
                Observation(
                    report_id=reports[organisation.id].id,
                    municipality_id=municipality.id,
                    organisation_id=organisation.id,
                    week_start=current.monday,
                    occurred_on=current.monday + timedelta(days=rng.randrange(7)),
                    time_of_day=rng.choice(("natt", "morgon", "dag", "kvall")),
                    area_id=place.area_id,
                    place_id=place.id,
                    category_id=rng.choice(categories).id,
                    description="Benchmark",
                    occurrences=rng.choice((1, 1, 1, 2, 3)),
                    concern=rng.choice(("lag", "medel", "hog")),
                )
            )
        session.flush()


def build_database(url: str, folder: str) -> dict[str, int]:
    """Seed the demo, add the heavy kommun, compile both weeks; return the picture ids."""
    from sqlalchemy import select

    from estapp.db import make_engine, make_session_factory, utcnow
    from estapp.lagesbild import services
    from estapp.migrate import upgrade
    from estapp.models import CompileReason, Municipality
    from estapp.seed.demo import create_demo_data
    from estapp.seed.history import create_demo_history
    from estapp.weeks import IsoWeek

    upgrade(url)
    settings = bench_settings(url, folder)
    engine = make_engine(url)
    session = make_session_factory(engine)()
    now = utcnow()
    week = IsoWeek.containing(now, settings.tz).shift(-1)
    pictures = {}
    with session.begin():
        create_demo_data(session, settings)
        create_demo_history(session, now, tz=settings.tz)
        kommuner = {m.slug: m for m in session.scalars(select(Municipality))}
        _heavy_kommun(session, kommuner["sjovik"], week, random.Random(47))
        for case, slug in (("demovecka", "ekbacka"), ("tung vecka", "sjovik")):
            picture, _ = services.compile_picture(
                session, kommuner[slug], week, reason=CompileReason.CLI, actor=None, now=now
            )
            picture.assessment = "Bedömning för benchmark. " * 20
            pictures[case] = picture.id
    session.close()
    engine.dispose()
    return pictures


def _reset_peak_rss() -> bool:
    """Start VmHWM afresh (Linux: write 5 to clear_refs), so a render's peak is not hidden by
    the larger one of building the app; False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_rss_kb() -> int:
    """This process's peak resident memory. VmHWM starts afresh at exec; ru_maxrss may carry
    the parent's peak over on Linux, which here is the process that built the database."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def worker(case: str, url: str, folder: str, picture_id: int, runs: int) -> dict:
    """Render one case ``runs`` times in this process; report seconds per run and peak RSS."""
    from estapp import create_app
    from estapp.db import get_session, utcnow
    from estapp.lagesbild.pdf import html_to_pdf, render_picture
    from estapp.models import SituationPicture

    app = create_app(bench_settings(url, folder))
    setup_kb = _peak_rss_kb()
    reset = _reset_peak_rss()
    times, pages, size = [], 0, 0
    with app.app_context():
        session = get_session()
        for _ in range(runs + 1):  # the first run warms caches (fonts, templates) and is dropped
            started = time.perf_counter()
            if picture_id:
                picture = session.get(SituationPicture, picture_id)
                result = render_picture(
                    session, picture, settings=app.config["SETTINGS"], now=utcnow()
                )
            else:
                result = html_to_pdf('<!DOCTYPE html><html lang="sv"><title>Tom</title></html>')
            times.append(time.perf_counter() - started)
            pages, size = result.pages, len(result.data)
            session.expunge_all()
    render_kb = _peak_rss_kb()
    return {
        "case": case,
        "times": times[1:],
        "peak_mb": max(setup_kb, render_kb) / 1024,
        "render_peak_mb": render_kb / 1024 if reset else None,
        "pages": pages,
        "bytes": size,
    }


def _measure(case: str, url: str, folder: str, picture_id: int, runs: int) -> dict:
    command = [sys.executable, "-m", "bench.lagesbild_pdf", "--worker", case, url, folder]
    command += [str(picture_id), str(runs)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def _mb(value: float | None) -> str:
    return f"{value:.0f} MB" if value is not None else "–"


def _ratio(row: dict, floor: dict) -> str:
    if row["render_peak_mb"] is None or not floor["render_peak_mb"]:
        return "–"
    return f"{row['render_peak_mb'] / floor['render_peak_mb']:.2f}"


def run(backend: Backend, size: Size, report: Report) -> None:
    runs = min(size.runs, MAX_RUNS)
    report.heading(f"Lägesbild-PDF ({backend.name})")
    print(f"  {runs} körningar per fall (efter en uppvärmning), eget processminne", flush=True)
    with backend.fresh("pdf") as (url, folder):
        started = time.perf_counter()
        pictures = build_database(url, str(folder))
        print(f"  databas byggd på {time.perf_counter() - started:.1f} s")
        results = [_measure("tomt dokument (golv)", url, str(folder), 0, runs)]
        results += [
            _measure(case, url, str(folder), picture_id, runs)
            for case, picture_id in pictures.items()
        ]
    floor = results[0]
    report.table(
        [
            (row["case"], row["times"], floor["times"] if row is not floor else None)
            for row in results
        ]
    )
    print(f"  {'fall':<44}{'topp-RSS':>11}{'vid rendering':>15}{'× golv':>8}{'sidor':>7}")
    for row in results:
        print(
            f"  {row['case']:<44}{row['peak_mb']:>8.0f} MB"
            f"{_mb(row['render_peak_mb']):>15}{_ratio(row, floor):>8}{row['pages']:>7}"
        )
    print("  topp-RSS: hela processen (appen byggd + rendering); vid rendering: toppen efter att")
    print("  appen byggts, alltså det renderingen själv kräver utöver en redan startad process.")
    heavy = results[-1]
    report.verdict(
        backend.name,
        "lägesbild-PDF, tung vecka",
        f"p95 ≤ {TARGET_SECONDS} s och topp-RSS ≤ {TARGET_MB} MB",
        f"p95 {p95(heavy['times']):.3f} s, topp {heavy['peak_mb']:.0f} MB",
        p95(heavy["times"]) <= TARGET_SECONDS and heavy["peak_mb"] <= TARGET_MB,
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        case, url, folder, picture_id, runs = sys.argv[2:7]
        print(json.dumps(worker(case, url, folder, int(picture_id), int(runs))))
    else:
        raise SystemExit("Kör benchmarks med `make bench` (python -m bench).")
