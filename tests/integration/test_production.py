"""Production as it runs: gunicorn with several workers on two "hosts" behind a load balancer,
the scheduler as its own process, on the test database (PostgreSQL when the suite runs on it).

Both hosts share nothing but the database and the settings, so whatever works across them
keeps no state in a process: the login, CSRF, flash messages and login throttling.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from datetime import timedelta

import pytest

from estapp.db import utcnow
from estapp.distribution.outbox import queue_message
from estapp.ops.heartbeat import last_heartbeat, record_heartbeat
from tests.conftest import DEMO_PASSWORD
from tests.integration.production_support import (
    CLIENT_ADDRESS,
    GUNICORN,
    REPO,
    SCHEDULER,
    Browser,
    production_environment,
    run_until_exit,
    stop,
    web_host,
)
from tests.integration.smtp_server import free_port

COORDINATOR = "samordnare@ekbacka.example"
VIEWER = "lasare@ekbacka.example"
HEARTBEAT_TIMEOUT = 60  # seconds for a starting scheduler to write its first heartbeat


@pytest.fixture(scope="module")
def hosts(database_url, tmp_path_factory):
    """Two web hosts, two workers each, started as the web unit starts them."""
    directory = tmp_path_factory.mktemp("web")
    environ = production_environment(database_url, directory, ESTAPP_LOGIN_MAX_FAILURES="3")
    with (
        web_host(environ, directory / "host-a.log") as host_a,
        web_host(environ, directory / "host-b.log") as host_b,
    ):
        yield host_a, host_b


def log_in(browser, form_host, post_host, email, password=DEMO_PASSWORD):
    token = browser.get(form_host, "/logga-in").csrf_token()
    return browser.post(
        post_host, "/logga-in", {"csrf_token": token, "email": email, "password": password}
    )


# --- /healthz ---------------------------------------------------------------------------------


def test_healthz_is_200_when_all_holds_and_503_naming_what_does_not(hosts, sessions, settings):
    host_a, host_b = hosts
    browser = Browser()

    record_heartbeat(sessions, now=utcnow())
    healthy = browser.get(host_a, "/healthz")
    assert healthy.status == 200, healthy.body
    assert healthy.json()["status"] == "ok" and healthy.json()["failing"] == []
    assert healthy.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in healthy.headers

    record_heartbeat(sessions, now=utcnow() - timedelta(minutes=10))
    stale = browser.get(host_b, "/healthz")
    assert stale.status == 503
    assert stale.json()["failing"] == ["scheduler"]
    assert stale.json()["checks"]["scheduler"]["last_beat_seconds_ago"] >= 600

    record_heartbeat(sessions, now=utcnow())
    with sessions.begin() as session:  # due 20 minutes ago and never sent: the outbox is stuck
        queue_message(
            session,
            document_key="lagesbild:ekbacka:2026-W47:v1",
            recipient="anna.berg@skola.ekbacka.example",
            subject="Lägesbild vecka 47, Ekbacka",
            text="Hej!",
            settings=settings,
            now=utcnow() - timedelta(minutes=20),
        )
    stuck = browser.get(host_a, "/healthz")
    assert stuck.status == 503
    assert stuck.json()["failing"] == ["outbox"]
    assert stuck.json()["checks"]["outbox"] == {
        "status": "failing",
        "queued": 1,
        "overdue": 1,
        "failed": 0,
        "limit_seconds": 900,
    }
    assert "anna.berg" not in stuck.body and "Lägesbild" not in stuck.body  # counts only


# --- no state in a process ------------------------------------------------------------------


def test_a_login_holds_on_every_host_and_ends_on_all_at_logout(hosts, demo):
    host_a, host_b = hosts
    browser = Browser()

    # The login form comes from one host and is posted to the other: CSRF holds across them.
    assert log_in(browser, host_b, host_a, COORDINATOR).status == 302

    served = [f"sida-{number}" for number in range(8)]
    for number, request_id in enumerate(served):
        page = browser.get(hosts[number % 2], "/", **{"X-Request-ID": request_id})
        assert page.status == 200, (number, page.status, page.location)
        assert "Logga ut" in page.body and "Du är inloggad som samordnare" in page.body
    workers = {
        entry["pid"]
        for host in hosts
        for entry in host.log_entries()
        if entry.get("request_id") in served
    }
    assert len(workers) >= 2  # at least one worker on each host served the session

    copied_cookies = dict(browser.cookies)
    token = browser.get(host_a, "/").csrf_token()
    logged_out = browser.post(host_b, "/logga-ut", {"csrf_token": token})
    assert logged_out.status == 302 and logged_out.location.endswith("/logga-in")
    # The flash message set by one host is shown by the other.
    assert "Du är utloggad." in browser.get(host_a, "/logga-in").body
    # Logging out ended the login on the server: a copy of the old cookie opens nothing.
    for host in hosts:
        refused = Browser(cookies=dict(copied_cookies)).get(host, "/")
        assert refused.status == 302 and "/logga-in" in refused.location


def test_failed_logins_are_counted_across_hosts_per_client_address(hosts, demo):
    host_a, host_b = hosts
    browser = Browser()
    for attempt in range(3):  # ESTAPP_LOGIN_MAX_FAILURES=3
        host = hosts[attempt % 2]
        assert log_in(browser, host, host, COORDINATOR, "fel-lösenord").status == 401

    refused = log_in(browser, host_a, host_b, COORDINATOR)
    assert refused.status == 429
    assert "För många misslyckade inloggningsförsök" in refused.body
    # The address the load balancer reports is what is throttled, not the proxy's own:
    # another account from the same client is refused too, from another client it is not.
    assert log_in(Browser(), host_a, host_a, VIEWER).status == 429
    elsewhere = Browser()
    token = elsewhere.get(host_b, "/logga-in").csrf_token()
    answer = elsewhere.request(
        host_b,
        "POST",
        "/logga-in",
        form={"csrf_token": token, "email": VIEWER, "password": DEMO_PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.50"},
    )
    assert answer.status == 302


# --- logs ---------------------------------------------------------------------------------------


def test_logs_are_json_lines_with_the_request_and_without_personal_data(hosts, demo):
    host_a, host_b = hosts
    browser = Browser()
    assert log_in(browser, host_a, host_b, COORDINATOR).status == 302

    page = browser.get(host_b, f"/?epost={COORDINATOR}", **{"X-Request-ID": "lb-4711"})
    assert page.status == 200 and page.headers["X-Request-ID"] == "lb-4711"
    own_id = browser.get(host_a, "/", **{"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", own_id)  # a header that is no plain token is replaced
    browser.get(host_a, "/konto/nytt-losenord/hemlig-token-123")
    browser.get(host_b, f"/finns-inte/{COORDINATOR}")

    entries = host_a.log_entries() + host_b.log_entries()  # fails unless every line is JSON
    for entry in entries:
        assert {"time", "level", "logger", "component", "pid", "message"} <= entry.keys()
    assert {"gunicorn", "web"} <= {entry["component"] for entry in entries}
    [request] = [entry for entry in entries if entry.get("request_id") == "lb-4711"]
    assert (request["method"], request["path"], request["status"]) == ("GET", "/", 200)
    assert request["logger"] == "estapp.request" and request["duration_ms"] > 0
    assert any(entry.get("request_id") == own_id for entry in entries)
    assert any(entry.get("path") == "/konto/nytt-losenord/<token>" for entry in entries)

    written = host_a.log_path.read_text() + host_b.log_path.read_text()
    for private in (COORDINATOR, DEMO_PASSWORD, "epost=", "hemlig-token-123", CLIENT_ADDRESS):
        assert private not in written, private


# --- starting with a wrong configuration ------------------------------------------------------


def _unreachable_database(tmp_path):
    return {"ESTAPP_DATABASE_URL": f"postgresql+psycopg://estapp@127.0.0.1:{free_port()}/estapp"}


MISCONFIGURATIONS = {
    "no secret key": (lambda tmp_path: {"ESTAPP_SECRET_KEY": ""}, "ESTAPP_SECRET_KEY", 78),
    "the example's key": (
        lambda tmp_path: {"ESTAPP_SECRET_KEY": "byt-ut-mot-en-slumpad-nyckel-med-minst-32-tecken"},
        "ESTAPP_SECRET_KEY",
        78,
    ),
    "unreachable database": (_unreachable_database, "ESTAPP_DATABASE_URL", 69),
    "database never migrated": (
        lambda tmp_path: {"ESTAPP_DATABASE_URL": f"sqlite:///{tmp_path / 'tom.sqlite3'}"},
        "ESTAPP_DATABASE_URL",
        69,
    ),
    "ssl on the starttls port": (
        lambda tmp_path: {"ESTAPP_SMTP_SECURITY": "ssl", "ESTAPP_SMTP_PORT": "587"},
        "ESTAPP_SMTP_SECURITY",
        78,
    ),
    "smtp port not a number": (
        lambda tmp_path: {"ESTAPP_SMTP_PORT": "tjugofem"},
        "ESTAPP_SMTP_PORT",
        78,
    ),
}


COMMANDS = {"gunicorn": [*GUNICORN, "wsgi:app"], "scheduler": SCHEDULER}
# Every case for gunicorn; for the scheduler one of each path: a setting refused when the app
# is built, a start check, and a database that is not there.
STARTS = [("gunicorn", case) for case in MISCONFIGURATIONS] + [
    ("scheduler", "no secret key"),
    ("scheduler", "ssl on the starttls port"),
    ("scheduler", "unreachable database"),
]


@pytest.mark.parametrize(("command", "case"), STARTS, ids=[" - ".join(start) for start in STARTS])
def test_a_start_with_a_wrong_setting_ends_with_one_line_naming_it(
    command, case, database_url, tmp_path
):
    make_overrides, variable, exit_code = MISCONFIGURATIONS[case]
    environ = production_environment(database_url, tmp_path, **make_overrides(tmp_path))

    result = run_until_exit(COMMANDS[command], environ)

    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"Fel: {variable}"), lines
    assert result.returncode == exit_code


# --- the scheduler --------------------------------------------------------------------------


def test_the_scheduler_service_writes_its_heartbeat_and_stops_cleanly(
    database_url, tmp_path, sessions, client
):
    environ = production_environment(database_url, tmp_path)
    assert client.get("/healthz").json["failing"] == ["scheduler"]  # nothing has run yet
    with (tmp_path / "scheduler.log").open("w") as log:
        process = subprocess.Popen(
            [*SCHEDULER, "--retry-seconds", "1"],
            cwd=REPO,
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        beat = None
        deadline = time.monotonic() + HEARTBEAT_TIMEOUT
        while beat is None and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
            with sessions() as session:
                beat = last_heartbeat(session)
        assert beat is not None, (tmp_path / "scheduler.log").read_text()
        assert utcnow() - beat < timedelta(minutes=1)
        health = client.get("/healthz")
        assert health.status_code == 200, health.json
    finally:
        stop(process)
    assert process.returncode == 0
    entries = [json.loads(line) for line in (tmp_path / "scheduler.log").read_text().splitlines()]
    assert {entry["component"] for entry in entries} == {"scheduler"}
    assert any("Schemaläggaren startar" in entry["message"] for entry in entries)
