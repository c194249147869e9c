"""The outbox as a scheduled job: every minute, send what is due; never raise."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from estapp.config import Settings
from estapp.db import utcnow
from estapp.distribution.outbox import SendSummary, send_due

log = logging.getLogger(__name__)


def send_outbox_job(
    sessions: sessionmaker[Session], settings: Settings, *, now: datetime | None = None
) -> SendSummary | None:
    """Send the due outbox messages; a failure is logged, never raised into the scheduler.

    Safe to run from two schedulers at once: each row is claimed by exactly one sender.
    """
    try:
        summary = send_due(sessions, settings, now=now or utcnow())
    except Exception:
        log.exception("outbox: sending failed")
        return None
    if summary.sent or summary.retrying or summary.failed:
        log.info("outbox: %s", summary)
    return summary
