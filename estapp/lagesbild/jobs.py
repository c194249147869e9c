"""The weekly compile as a scheduled job: exactly once per kommun and scheduled moment.

A job claims its run by inserting a CompileRun row in the same transaction as the compile; the
unique key (kommun, week, scheduled_for) turns a repeat, or a second scheduler doing the same,
into a no-op. If the compile fails the claim is rolled back with it, so a later catch-up retries.
"""

from __future__ import annotations

import logging
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from estapp.db import utcnow
from estapp.distribution import lagesbild_mail
from estapp.lagesbild import services
from estapp.models import (
    CompileReason,
    CompileRun,
    DistributionTrigger,
    Municipality,
    SituationPicture,
)
from estapp.weeks import IsoWeek

log = logging.getLogger(__name__)


class _AlreadyClaimed(Exception):
    pass


def latest_due(now: datetime, tz: ZoneInfo, at: time) -> tuple[IsoWeek, datetime]:
    """The last scheduled compile moment (Monday ``at``) not after ``now``, and its week."""
    current = IsoWeek.containing(now, tz)
    moment = datetime.combine(current.monday, at, tzinfo=tz)
    if moment > now:
        current = current.shift(-1)
        moment = datetime.combine(current.monday, at, tzinfo=tz)
    return current.shift(-1), moment


def run_compile(
    sessions: sessionmaker[Session],
    municipality_id: int,
    week: IsoWeek,
    scheduled_for: datetime,
    *,
    now: datetime,
    tz: ZoneInfo,
) -> SituationPicture | None:
    """Claim and compile one kommun's week; None when the run was already claimed."""
    session = sessions()
    try:
        with session.begin():
            run = CompileRun(
                municipality_id=municipality_id,
                week_start=week.monday,
                scheduled_for=scheduled_for,
                started_at=now,
            )
            session.add(run)
            try:
                session.flush()
            except IntegrityError:
                raise _AlreadyClaimed from None
            municipality = session.get(Municipality, municipality_id)
            if municipality is None:
                return None
            picture, created = services.compile_picture(
                session,
                municipality,
                week,
                reason=CompileReason.SCHEDULED,
                actor=None,
                now=now,
                tz=tz,
            )
            run.picture_id = picture.id
            # Queued in the compile's transaction: a failed compile sends nothing.
            lagesbild_mail.on_event(session, picture, DistributionTrigger.COMPILE, now=now)
        log.info(
            "lägesbild %s %s: %s",
            municipality.slug,
            week,
            f"version {picture.version}" if created else "unchanged",
        )
        return picture
    except _AlreadyClaimed:
        log.info(
            "lägesbild kommun %s %s: already compiled for %s", municipality_id, week, scheduled_for
        )
        return None
    finally:
        session.close()


def compile_job(
    sessions: sessionmaker[Session],
    municipality_id: int,
    *,
    tz: ZoneInfo,
    at: time,
    now: datetime | None = None,
) -> SituationPicture | None:
    """The scheduled job: compile the week of the latest due moment; log, never raise."""
    now = now or utcnow()
    week, scheduled_for = latest_due(now, tz, at)
    try:
        return run_compile(sessions, municipality_id, week, scheduled_for, now=now, tz=tz)
    except Exception:
        log.exception("lägesbild compile failed for kommun %s, %s", municipality_id, week)
        return None


def municipality_ids(sessions: sessionmaker[Session]) -> list[int]:
    with sessions() as session:
        return list(session.scalars(select(Municipality.id).order_by(Municipality.id)))


def catch_up(
    sessions: sessionmaker[Session], *, tz: ZoneInfo, at: time, now: datetime | None = None
) -> list[SituationPicture]:
    """Run every kommun's latest due compile that no process has run (e.g. a missed Monday)."""
    now = now or utcnow()
    done = []
    for municipality_id in municipality_ids(sessions):
        picture = compile_job(sessions, municipality_id, tz=tz, at=at, now=now)
        if picture is not None:
            done.append(picture)
    return done
