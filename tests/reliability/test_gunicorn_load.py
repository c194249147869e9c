"""gunicorn with several workers on PostgreSQL, as production runs it: 16 partners' reporters
submitting at once lose nothing, and the login throttle holds whichever worker answers.

Every client reaches the server as a browser behind the load balancer does
(tests/integration/production_support.py), with its own cookies and CSRF token.
"""

from __future__ import annotations

import re
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from estapp.admin.services import create_user
from estapp.auth.passwords import hash_password
from estapp.db import utcnow
from estapp.models import Observation, Organisation, Role, User, WeeklyReport
from estapp.weeks import IsoWeek
from tests.conftest import DEMO_PASSWORD
from tests.integration.production_support import (
    Browser,
    Reply,
    WebHost,
    production_environment,
    web_host,
)
from tests.reliability.world import TZ

pytestmark = pytest.mark.postgres_only

WORKERS = 4
CLIENTS = 16
OBSERVATIONS_EACH = 100
MAX_FAILURES = 6
LOAD_TIME_LIMIT = 150  # seconds for all 1,600 observations on two shared cores
PASSWORD = "rapportör-lösen-2026"


@pytest.fixture(scope="module")
def host(database_url, tmp_path_factory):
    """gunicorn with four workers on the test database, as the web unit starts it."""
    directory = tmp_path_factory.mktemp("reliability-web")
    environ = production_environment(
        database_url, directory, ESTAPP_LOGIN_MAX_FAILURES=str(MAX_FAILURES)
    )
    with web_host(environ, directory / "gunicorn.log", workers=WORKERS) as server:
        yield server


class Client(Browser):
    """One browser from its own address, so logins are counted per person, as in real life."""

    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def send(self, host: WebHost, method: str, path: str, form: dict | None = None) -> Reply:
        return self.request(
            host, method, path, form=form, headers={"X-Forwarded-For": self.address}
        )

    def log_in(self, host: WebHost, email: str, password: str) -> Reply:
        token = self.send(host, "GET", "/logga-in").csrf_token()
        form = {"csrf_token": token, "email": email, "password": password}
        return self.send(host, "POST", "/logga-in", form)


@dataclass
class Run:
    statuses: Counter = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, status: int, seconds: float) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.seconds.append(seconds)


def reporters(db) -> list[tuple[int, str]]:
    """Two reporters for each of eight partners: pairs write into the same veckorapport."""
    now = utcnow()
    password_hash = hash_password(PASSWORD)
    made = []
    with db.begin():
        organisations = db.scalars(select(Organisation).order_by(Organisation.id)).all()
        for number in range(CLIENTS):
            organisation = organisations[number % len(organisations)]
            email = f"rapportor{number}@last.example"
            create_user(
                db,
                None,
                email=email,
                name=f"Rapportör {number}",
                role=Role.REPORTER,
                organisation=organisation,
                municipalities=[],
                password_hash=password_hash,
                now=now,
            )
            made.append((number, min(m.slug for m in organisation.municipalities)))
    return made


def observation_form(page: Reply) -> dict[str, str]:
    """The week's observation form as a reporter fills it in: the first area and category."""

    def first_option(name: str) -> str:
        select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page.body, re.S)
        assert select_html, f"no {name} on the page"
        return re.findall(r'<option[^>]*value="(\d+)"', select_html.group(1))[0]

    return {
        "time_of_day": "kvall",
        "exact_time": "",
        "area_id": first_option("area_id"),
        "place_id": "",
        "other_place": "Gångtunneln vid skolan",
        "category_id": first_option("category_id"),
        "occurrences": "2",
        "concern": "medel",
    }


def report_week(host: WebHost, number: int, kommun: str, week: IsoWeek, run: Run) -> None:
    email = f"rapportor{number}@last.example"
    client = Client(f"198.51.100.{100 + number}")
    assert client.log_in(host, email, PASSWORD).status == 302
    path = f"/rapport/{kommun}/{week}"
    page = client.send(host, "GET", path)
    assert page.status == 200, page.body[:300]
    form = observation_form(page) | {"csrf_token": page.csrf_token()}
    today = utcnow().astimezone(TZ).date()
    for observation in range(OBSERVATIONS_EACH):
        started = time.monotonic()
        answer = client.send(
            host,
            "POST",
            path,
            form
            | {
                "occurred_on": today.isoformat(),
                "description": f"Klotter på väggen, nummer {observation} från klient {number}.",
            },
        )
        run.note(answer.status, time.monotonic() - started)
        errors = re.findall(r'class="error-message"[^>]*>(.*?)</p>', answer.body, re.S)
        assert answer.status == 302, f"{email} #{observation}: {answer.status} {errors}"


@pytest.mark.time_limit(LOAD_TIME_LIMIT + 30)
def test_sixteen_reporters_at_once_store_every_observation_and_see_no_error(host, demo):
    accounts = reporters(demo)
    week = IsoWeek.containing(utcnow(), TZ)
    run = Run()

    started = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool:
        futures = [pool.submit(report_week, host, n, k, week, run) for n, k in accounts]
        for future in futures:
            future.result(timeout=LOAD_TIME_LIMIT)
    elapsed = time.monotonic() - started

    assert run.statuses == {302: CLIENTS * OBSERVATIONS_EACH}, run.statuses
    demo.rollback()
    stored = dict(
        demo.execute(
            select(User.email, func.count(Observation.id))
            .join(Observation, Observation.created_by_id == User.id)
            .where(User.email.like("%@last.example"))
            .group_by(User.email)
        ).all()
    )
    assert stored == {f"rapportor{n}@last.example": OBSERVATIONS_EACH for n, _ in accounts}
    assert demo.scalar(select(func.count()).select_from(Observation)) == 1600
    reports = demo.scalar(
        select(func.count()).select_from(WeeklyReport).where(WeeklyReport.week_start == week.monday)
    )
    assert reports == CLIENTS // 2  # one veckorapport per partner, shared by its two reporters
    # (/healthz answers 503 while no scheduler beats: that is its job, not an error.)
    assert not [
        e for e in host.log_entries() if e.get("status", 0) >= 500 and e["path"] != "/healthz"
    ]
    p95 = statistics.quantiles(run.seconds, n=20)[-1]
    print(
        f"\nlast: {CLIENTS} klienter, {sum(run.statuses.values())} inskick på {elapsed:.1f} s "
        f"({sum(run.statuses.values()) / elapsed:.0f}/s), median "
        f"{statistics.median(run.seconds) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
    )


@pytest.mark.time_limit(90)
def test_the_login_throttle_holds_across_workers_under_concurrent_attempts(host, demo):
    victim = "lasare@ekbacka.example"
    attacker = "203.0.113.66"
    attempts = 4 * MAX_FAILURES

    with ThreadPoolExecutor(8) as pool:
        wrong = list(
            pool.map(
                lambda _: Client(attacker).log_in(host, victim, "gissat-lösenord").status,
                range(attempts),
                timeout=60,
            )
        )
        right = list(
            pool.map(
                lambda _: Client(attacker).log_in(host, victim, DEMO_PASSWORD),
                range(8),
                timeout=60,
            )
        )
    # Another address trying the same account is refused too: the account is counted.
    elsewhere = Client("192.0.2.77").log_in(host, victim, DEMO_PASSWORD)

    counted = Counter(wrong)
    assert set(counted) <= {401, 429}, counted
    assert counted[401] == MAX_FAILURES, counted  # no worker let one more guess through
    assert {reply.status for reply in right} == {429}
    assert all("För många misslyckade inloggningsförsök" in reply.body for reply in right)
    assert elsewhere.status == 429
    workers = {
        entry["pid"]
        for entry in host.log_entries()
        if entry.get("path") == "/logga-in" and entry.get("method") == "POST"
    }
    assert len(workers) >= 2, "every attempt reached one worker: the test proved nothing"
    print(f"\nstrypning: {attempts} fel + 9 rätta försök över {len(workers)} arbetsprocesser")
