"""Many reporters at once: the veckorapport page (GET) and saving an observation (POST) from 16
concurrent clients against gunicorn with 4 workers, beside a route that reads one row.

gunicorn serves the app with one extra route (:mod:`bench.wsgi_app`), the floor: a logged-in
request that reads one row, on the same stack. Each client is a reporter of a different partner
of the large city, logged in through the real login form (CSRF token and cookie), and sends its
next request as soon as the last one is answered. Each phase starts with a few requests per
client that are not counted (workers load templates on first use).

Targets (issue 8), on PostgreSQL: p95 ≤ 50 ms for both, throughput ≥ 50 % of the floor's, and no
errors.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from bench.dataset import PASSWORD, Dataset, bench_environ, municipality_of
from bench.http_session import HttpSession, csrf_token
from bench.report import Report, median, ms, p95
from bench.wsgi_app import FLOOR_PATH

CLIENTS = 16
WORKERS = 4
WARMUP_REQUESTS = 3
TARGET_P95 = 0.050
TARGET_SHARE = 0.5
HOST = "127.0.0.1"
PROJECT = Path(__file__).resolve().parent.parent
EXCEPTION_LINE = re.compile(r"^[\w.]+(Error|Exception): ")

Request = Callable[[HttpSession], tuple[int, str, float]]


@dataclass
class Phase:
    name: str
    expected: int
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.times) / self.seconds if self.seconds else 0.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(dataset: Dataset) -> Iterator[int]:
    """gunicorn with 4 workers on the dataset's database; yields its port."""
    port = _free_port()
    environ = {**os.environ, **bench_environ(dataset.url, dataset.folder)}
    # Started in the data's folder, so the project's gunicorn.conf.py (the production start
    # checks) is not read; the command line says everything this test needs.
    environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")])
    )
    command = [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS)]
    command += ["--bind", f"{HOST}:{port}", "--log-level", "warning"]
    command += ["bench.wsgi_app:create_bench_app()"]
    log = (dataset.folder / "gunicorn.log").open("w")
    server = subprocess.Popen(command, cwd=dataset.folder, env=environ, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if HttpSession(HOST, port).request("GET", "/logga-in")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn startade inte")
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def server_errors(dataset: Dataset) -> Counter[str]:
    """The exceptions gunicorn's workers logged (one line each), counted."""
    path = dataset.folder / "gunicorn.log"
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines() if path.exists() else []
    return Counter(line.strip() for line in lines if EXCEPTION_LINE.match(line.strip()))


def _run_phase(phase: Phase, sessions: list[HttpSession], send: Request, seconds: float) -> Phase:
    """All clients send requests back to back for ``seconds``; record each answer's time."""
    lock = threading.Lock()
    stop_at = [0.0]
    # The barrier's action runs once, before anyone is let through: every client sees the end.
    start = threading.Barrier(
        len(sessions) + 1, action=lambda: stop_at.__setitem__(0, time.perf_counter() + seconds)
    )

    def client(session: HttpSession) -> None:
        for _ in range(WARMUP_REQUESTS):
            send(session)
        start.wait()
        while time.perf_counter() < stop_at[0]:
            status, body, elapsed = send(session)
            with lock:
                phase.times.append(elapsed)
                if status != phase.expected:
                    phase.errors.append(f"{status}: {body[:200]!r}")

    threads = [threading.Thread(target=client, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    start.wait()
    began = stop_at[0] - seconds
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - began
    return phase


def _observation_form(dataset: Dataset) -> tuple[str, dict[str, str]]:
    """Where new observations go (this week's veckorapport) and a valid form for one."""
    from estapp.db import utcnow
    from estapp.models import Area, Category, Place
    from estapp.weeks import IsoWeek

    settings = dataset.settings
    today = utcnow().astimezone(settings.tz).date()
    session = dataset.session()
    try:
        municipality = municipality_of(session, dataset.slug)
        place_id, area_id = session.execute(
            select(Place.id, Place.area_id)
            .join(Area)
            .where(Area.municipality_id == municipality.id)
            .order_by(Place.id)
            .limit(1)
        ).one()
        category_id = session.scalar(
            select(Category.id).where(
                Category.municipality_id == municipality.id, Category.name == "Klotter"
            )
        )
    finally:
        session.close()
        session.get_bind().dispose()
    form = {
        "occurred_on": today.isoformat(),
        "time_of_day": "kvall",
        "exact_time": "",
        "area_id": str(area_id),
        "place_id": str(place_id),
        "other_place": "",
        "category_id": str(category_id),
        "description": "Nytt klotter på elskåpet vid entrén.",
        "occurrences": "1",
        "concern": "medel",
    }
    return f"/rapport/{dataset.slug}/{IsoWeek.of(today)}", form


def measure(dataset: Dataset, seconds: float) -> dict[str, Phase]:
    from estapp.db import utcnow
    from estapp.weeks import IsoWeek

    last_week = IsoWeek.containing(utcnow(), dataset.settings.tz).shift(-1)
    page = f"/rapport/{dataset.slug}/{last_week}?andra=1"
    post_to, form = _observation_form(dataset)
    with gunicorn(dataset) as port:
        reporters = dataset.reporters[:CLIENTS]
        sessions = [HttpSession(HOST, port) for _ in reporters]
        for session, email in zip(sessions, reporters, strict=True):
            session.log_in(email, PASSWORD)
        tokens = {}
        for session in sessions:  # the form's token, as a browser has it from the page
            tokens[id(session)] = csrf_token(session.request("GET", post_to)[1])

        def floor(session: HttpSession) -> tuple[int, str, float]:
            return session.request("GET", FLOOR_PATH)

        def get_page(session: HttpSession) -> tuple[int, str, float]:
            return session.request("GET", page)

        def post(session: HttpSession) -> tuple[int, str, float]:
            return session.request("POST", post_to, {**form, "csrf_token": tokens[id(session)]})

        phases = {
            "floor": _run_phase(Phase("golv", 200), sessions, floor, seconds),
            "get": _run_phase(Phase("veckorapport", 200), sessions, get_page, seconds),
            "post": _run_phase(Phase("spara händelse", 302), sessions, post, seconds),
        }
    return phases


def run(dataset: Dataset, report: Report) -> None:
    backend = dataset.backend
    report.heading(
        f"{CLIENTS} samtidiga rapportörer mot gunicorn med {WORKERS} arbetare ({backend.name})"
    )
    phases = measure(dataset, dataset.size.load_seconds)
    floor = phases["floor"]
    print(
        f"  {'fall':<44}{'median':>11}{'p95':>11}{'anrop/s':>10}{'andel av golvet':>17}{'fel':>6}"
    )
    for key, label in (
        ("floor", "golv: inloggad, läser en rad"),
        ("get", "veckorapporten (GET, ändringsläge)"),
        ("post", "spara en händelse (POST)"),
    ):
        phase = phases[key]
        share = phase.throughput / floor.throughput if floor.throughput else 0.0
        print(
            f"  {label:<44}{ms(median(phase.times)):>11}{ms(p95(phase.times)):>11}"
            f"{phase.throughput:>10.0f}{share:>16.0%}{len(phase.errors):>6}"
        )
    for key in ("get", "post"):
        statuses = Counter(error.split(":", 1)[0] for error in phases[key].errors)
        if statuses:
            shown = ", ".join(f"svar {status} × {n}" for status, n in statuses.most_common())
            print(f"  fel vid {phases[key].name}: {shown}")
    for line, times in server_errors(dataset).most_common(3):
        print(f"  i serverns logg ({times} gånger): {line[:150]}")
    for key, label in (("get", "veckorapport GET"), ("post", "spara händelse POST")):
        phase = phases[key]
        share = phase.throughput / floor.throughput if floor.throughput else 0.0
        report.verdict(
            backend.name,
            label,
            f"p95 ≤ {ms(TARGET_P95)}, ≥ {TARGET_SHARE:.0%} av golvets anrop/s, inga fel",
            f"p95 {ms(p95(phase.times))}, {share:.0%}, {len(phase.errors)} fel",
            p95(phase.times) <= TARGET_P95 and share >= TARGET_SHARE and not phase.errors,
            applies=backend.is_postgresql,
        )
