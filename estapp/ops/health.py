"""``/healthz`` for a load balancer or monitoring: database, scheduler heartbeat, outbox.

Public (no login), GET only, and nothing but statuses and counts: no addresses, subjects or
error texts. 200 when every check holds, 503 otherwise; ``failing`` names the checks that do
not hold. The scheduler and the outbox belong to the whole installation, so when one of them
fails every web host answers 503 together; a load balancer that should take a host out of
rotation only for the host's own trouble asks ``/healthz?check=database``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session, sessionmaker

from estapp.auth.access import public
from estapp.db import utcnow
from estapp.models import OutboxMessage, OutboxStatus
from estapp.ops.heartbeat import last_heartbeat

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)

# The scheduler beats every minute: three missed beats mean it is down or has lost its lead.
HEARTBEAT_LIMIT = timedelta(minutes=3)
# The outbox is sent every minute: a message due this long ago and still unsent is stuck.
OUTBOX_LIMIT = timedelta(minutes=15)

OK, FAILING, UNKNOWN = "ok", "failing", "unknown"


@dataclass
class HealthReport:
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, name: str, holds: bool | None, **details: Any) -> None:
        status = UNKNOWN if holds is None else OK if holds else FAILING
        self.checks[name] = {"status": status, **details}

    @property
    def failing(self) -> list[str]:
        return [name for name, check in self.checks.items() if check["status"] == FAILING]

    @property
    def healthy(self) -> bool:
        return all(check["status"] == OK for check in self.checks.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": OK if self.healthy else FAILING,
            "failing": self.failing,
            "checks": self.checks,
        }


def _seconds(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds()))


def check_scheduler(session: Session, report: HealthReport, *, now: datetime) -> None:
    beat = last_heartbeat(session)
    age = None if beat is None else _seconds(now - beat)
    report.add(
        "scheduler",
        age is not None and age <= _seconds(HEARTBEAT_LIMIT),
        last_beat_seconds_ago=age,
        limit_seconds=_seconds(HEARTBEAT_LIMIT),
    )


def check_outbox(session: Session, report: HealthReport, *, now: datetime) -> None:
    """Stuck: queued and due for longer than the limit, or claimed by a sender that long ago."""
    cutoff = now - OUTBOX_LIMIT
    status = OutboxMessage.status
    waiting = status.in_((OutboxStatus.QUEUED, OutboxStatus.SENDING))
    overdue = or_(
        (status == OutboxStatus.QUEUED) & (OutboxMessage.next_attempt_at <= cutoff),
        (status == OutboxStatus.SENDING) & (OutboxMessage.claimed_at <= cutoff),
    )
    counts = session.execute(
        select(
            func.count().filter(waiting),
            func.count().filter(overdue),
            func.count().filter(status == OutboxStatus.FAILED),
        ).where(status.in_((OutboxStatus.QUEUED, OutboxStatus.SENDING, OutboxStatus.FAILED)))
    ).one()
    queued, stuck, failed = (int(count) for count in counts)
    report.add(
        "outbox",
        stuck == 0,
        queued=queued,
        overdue=stuck,
        failed=failed,
        limit_seconds=_seconds(OUTBOX_LIMIT),
    )


# The checks that need the database beside "database" itself, by the name they report.
DATA_CHECKS: dict[str, Callable[..., None]] = {"scheduler": check_scheduler, "outbox": check_outbox}
CHECK_NAMES = ("database", *DATA_CHECKS)


def run_checks(
    sessions: sessionmaker[Session], *, now: datetime, names: Sequence[str] = CHECK_NAMES
) -> HealthReport:
    """The named checks, each cheap; when the database does not answer the others are unknown."""
    report = HealthReport()
    with sessions() as session:
        try:
            session.execute(text("SELECT 1"))
        except Exception:
            log.exception("healthz: the database does not answer")
            for name in names:
                report.add(name, False if name == "database" else None)
            return report
        for name in names:
            if name == "database":
                report.add(name, True)
                continue
            try:
                DATA_CHECKS[name](session, report, now=now)
            except Exception:
                log.exception("healthz: %s could not be checked", name)
                session.rollback()
                report.add(name, False)
    return report


def _requested_checks() -> list[str] | None:
    """``?check=database`` (repeated or comma-separated) limits the answer; None if a name is
    unknown. Without it every check runs."""
    asked = [name.strip() for value in request.args.getlist("check") for name in value.split(",")]
    if not asked:
        return list(CHECK_NAMES)
    if any(name not in CHECK_NAMES for name in asked):
        return None
    return [name for name in CHECK_NAMES if name in asked]


@bp.get("/healthz")
@public
def healthz() -> Response:
    """Report whether the database, the scheduler and the outbox work, as JSON."""
    names = _requested_checks()
    if names is None:
        response = jsonify({"error": "unknown_check", "known_checks": list(CHECK_NAMES)})
        response.status_code = 400
    else:
        sessions = current_app.extensions["estapp.sessions"]
        report = run_checks(sessions, now=utcnow(), names=names)
        response = jsonify(report.as_dict())
        response.status_code = 200 if report.healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
