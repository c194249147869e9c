"""The scheduler's heartbeat: written every minute by the leading scheduler, read by /healthz."""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from estapp.config import Settings
from estapp.db import utcnow
from estapp.models import SchedulerHeartbeat

log = logging.getLogger(__name__)

HEARTBEAT_NAME = "scheduler"
HEARTBEAT_MINUTES = 1


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _touch(session: Session, now: datetime, host: str) -> bool:
    result = session.execute(
        update(SchedulerHeartbeat)
        .where(SchedulerHeartbeat.name == HEARTBEAT_NAME)
        .values(beat_at=now, host=host)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def record_heartbeat(sessions: sessionmaker[Session], *, now: datetime) -> None:
    """Say, in its own transaction, that this scheduler process is alive at ``now``."""
    host = this_process()
    with sessions.begin() as session:
        if _touch(session, now, host):
            return
        try:
            with session.begin_nested():  # another scheduler may write the first beat too
                session.add(SchedulerHeartbeat(name=HEARTBEAT_NAME, beat_at=now, host=host))
        except IntegrityError:
            _touch(session, now, host)


def heartbeat_job(
    sessions: sessionmaker[Session], settings: Settings, *, now: datetime | None = None
) -> None:
    """The scheduled job: record the heartbeat; a failure is logged, never raised."""
    try:
        record_heartbeat(sessions, now=now or utcnow())
    except Exception:
        log.exception("heartbeat: could not be written")


def last_heartbeat(session: Session) -> datetime | None:
    """When the scheduler last showed it was alive; None if it never has."""
    return session.scalar(
        select(SchedulerHeartbeat.beat_at).where(SchedulerHeartbeat.name == HEARTBEAT_NAME)
    )
