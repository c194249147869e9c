"""Log lines: JSON or text, one per record, with the request's fields and without personal
data, also when an exception carries what a user typed."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from estapp.db import utcnow
from estapp.ops.heartbeat import record_heartbeat
from estapp.ops.logs import JsonFormatter, RequestContextFilter, TextFormatter, redact

ANNA = "anna.berg@skola.ekbacka.example"


def record(message, *args, exc_info=None, **extra):
    entry = logging.LogRecord("estapp.test", logging.WARNING, __file__, 1, message, args, exc_info)
    entry.__dict__.update(extra)
    RequestContextFilter().filter(entry)
    return entry


def failed_insert(db) -> IntegrityError:
    """A real database error whose message carries the values of the failed statement."""
    db.execute(text("CREATE TEMPORARY TABLE kontakt (epost VARCHAR(100) PRIMARY KEY)"))
    db.execute(text("INSERT INTO kontakt VALUES (:epost)"), {"epost": ANNA})
    try:
        db.execute(text("INSERT INTO kontakt VALUES (:epost)"), {"epost": ANNA})
    except IntegrityError as error:
        db.rollback()
        return error
    raise AssertionError("the duplicate was accepted")


def test_a_json_line_has_the_fields_a_collector_needs():
    line = JsonFormatter("web").format(
        record(
            "GET %s %s",
            "/rapport",
            200,
            request_id="lb-1",
            method="GET",
            path="/rapport",
            status=200,
            duration_ms=12.5,
        )
    )
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["time"].endswith("Z") and entry["level"] == "WARNING"
    assert (entry["logger"], entry["component"], entry["message"]) == (
        "estapp.test",
        "web",
        "GET /rapport 200",
    )
    assert entry["request_id"] == "lb-1" and entry["duration_ms"] == 12.5
    assert isinstance(entry["pid"], int)


def test_a_line_outside_a_request_has_no_request_fields():
    entry = json.loads(JsonFormatter("scheduler").format(record("utkorgen: skickade 2")))
    assert not {"request_id", "method", "path", "status"} & entry.keys()


@pytest.mark.parametrize("formatter", [JsonFormatter("web"), TextFormatter("web")])
def test_e_mail_addresses_and_statement_values_never_reach_the_log(formatter, db):
    error = failed_insert(db)
    assert ANNA in str(error)  # what SQLAlchemy would have logged

    exc_info = (type(error), error, error.__traceback__)
    line = formatter.format(record("meddelande till %s misslyckades", ANNA, exc_info=exc_info))
    assert ANNA not in line and "anna.berg" not in line
    assert "[e-postadress]" in line
    assert "IntegrityError" in line  # what went wrong is still there


def test_redaction_keeps_what_is_not_personal():
    kept = "outbox: message 12 not sent: E-postservern svarade 451 försök senare"
    assert redact(kept) == kept
    assert redact("till anna@example.se och bo.ek@kommun.se") == (
        "till [e-postadress] och [e-postadress]"
    )


def test_text_lines_carry_the_request_id():
    line = TextFormatter().format(record("något hände", request_id="lb-9"))
    assert "[lb-9]" in line and "något hände" in line
    assert "[-]" in TextFormatter().format(record("utanför en förfrågan"))


# --- what the app logs about a request ---------------------------------------------------------


def request_lines(caplog):
    return [r for r in caplog.records if r.name == "estapp.request"]


def test_each_request_is_one_line_without_the_query_string(client, caplog):
    caplog.set_level(logging.INFO, logger="estapp.request")
    client.get(f"/logga-in?next=/rapport&epost={ANNA}", headers={"X-Request-ID": "lb-77"})
    [line] = request_lines(caplog)
    assert (line.method, line.path, line.status) == ("GET", "/logga-in", 200)
    assert line.request_id == "lb-77"
    assert ANNA not in line.getMessage()


def test_a_token_in_the_path_is_logged_as_the_route(client, caplog):
    caplog.set_level(logging.INFO, logger="estapp.request")
    client.get("/konto/nytt-losenord/hemlig-token-123")
    client.get(f"/finns-inte/{ANNA}")
    set_password, unknown = request_lines(caplog)
    assert set_password.path == "/konto/nytt-losenord/<token>"
    assert "hemlig-token-123" not in set_password.getMessage()
    assert unknown.path is None and unknown.status == 404
    assert ANNA not in unknown.getMessage()


def test_kommun_and_week_stay_in_the_logged_path(client, caplog):
    caplog.set_level(logging.INFO, logger="estapp.request")
    client.get("/lagesbild/ekbacka/2026-W47")  # redirected to the login, but logged as asked
    [line] = request_lines(caplog)
    assert line.path == "/lagesbild/ekbacka/2026-W47" and line.status == 302


def test_a_healthy_healthz_is_not_logged_an_unhealthy_one_is(client, caplog, sessions):
    caplog.set_level(logging.INFO, logger="estapp.request")
    client.get("/healthz")  # no heartbeat yet: 503
    record_heartbeat(sessions, now=utcnow())
    client.get("/healthz")  # 200: the load balancer asks every few seconds
    assert [(line.path, line.status) for line in request_lines(caplog)] == [("/healthz", 503)]
