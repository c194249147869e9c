"""The scheduler process (``estapp scheduler``): APScheduler in its own process, never in web
workers. On PostgreSQL one process at a time leads, by an advisory lock held on a connection of
its own; the others wait. Each job also claims its run in the database, so even two leaders (or
SQLite, which has no such lock) compile a week once.

APScheduler runs jobs in worker threads; every job is wrapped to run inside the app's context,
so jobs can render templates (mail, PDF) and use the app's configuration.
"""

from __future__ import annotations

import functools
import logging
import signal
import threading
import zlib
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

from estapp.config import Settings
from estapp.distribution.jobs import send_outbox_job
from estapp.distribution.reminders import reminders_job
from estapp.lagesbild import jobs
from estapp.meetings.reminders import action_reminders_job
from estapp.ops.checks import first_startup_problem
from estapp.ops.heartbeat import HEARTBEAT_MINUTES, heartbeat_job
from estapp.ops.logs import configure_logging
from estapp.ops.startup import exit_code_for, start_refused
from estapp.retention.purge import retention_job

log = logging.getLogger(__name__)

LEADER_LOCK_KEY = zlib.crc32(b"estapp.scheduler")  # a fixed 32-bit key, the same in every process
MISFIRE_GRACE = 12 * 3600  # a job up to 12 hours late still runs (then catch-up takes over)
SYNC_MINUTES = 15
REMINDER_MINUTES = 5
ACTION_REMINDER_MINUTES = 15
# (job, every so many minutes, id, name): the heartbeat /healthz reads; the outbox; reminders
# to partners that have not reported; action owners' reminders (due soon, overdue). Each takes
# (sessions, settings).
INTERVAL_JOBS = (
    (heartbeat_job, HEARTBEAT_MINUTES, "heartbeat", "Livstecken"),
    (send_outbox_job, 1, "outbox-send", "Utkorgen"),
    (reminders_job, REMINDER_MINUTES, "reminders", "Påminnelser"),
    (action_reminders_job, ACTION_REMINDER_MINUTES, "action-reminders", "Påminnelser om åtgärder"),
)

P = ParamSpec("P")
R = TypeVar("R")


def in_app_context(app: Flask, job: Callable[P, R]) -> Callable[P, R]:
    """``job`` run inside ``app``'s application context (APScheduler's threads have none)."""

    @functools.wraps(job)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with app.app_context():
            return job(*args, **kwargs)

    return run


class LeaderLock:
    """A PostgreSQL session-level advisory lock, held on its own connection for the process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.connection: Connection | None = None
        self.held = False

    @property
    def needed(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def try_acquire(self) -> bool:
        if not self.needed:
            return True
        if self.connection is None:
            self.connection = self.engine.connect()
        got = self.connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": LEADER_LOCK_KEY}
        ).scalar()
        self.connection.commit()  # the lock belongs to the session, not the transaction
        self.held = bool(got)
        return self.held

    def is_held(self) -> bool:
        """Check the connection (and so the lock) is still alive."""
        if not self.needed:
            return True
        if self.connection is None:
            return False
        try:
            self.connection.execute(text("SELECT 1"))
            self.connection.commit()
            return True
        except Exception:
            log.exception("lost the scheduler's leader connection")
            return False

    def release(self) -> None:
        if self.connection is None:
            return
        try:
            if self.held:  # unlocking a lock held by another session only earns a warning
                self.connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": LEADER_LOCK_KEY}
                )
                self.connection.commit()
        finally:
            self.connection.close()
            self.connection = None
            self.held = False


def wait_for_leadership(lock: LeaderLock, *, retry_seconds: float, stop: threading.Event) -> bool:
    """Block until this process leads; False if asked to stop first."""
    while not stop.is_set():
        if lock.try_acquire():
            return True
        log.info("another scheduler leads; retrying in %s s", retry_seconds)
        stop.wait(retry_seconds)
    return False


def add_compile_jobs(
    scheduler: BlockingScheduler, sessions: sessionmaker[Session], settings: Settings, app: Flask
) -> None:
    """One weekly compile job per kommun (ids are stable, so this can run again safely)."""
    for municipality_id in jobs.municipality_ids(sessions):
        job_id = f"lagesbild-compile-{municipality_id}"
        if scheduler.get_job(job_id) is not None:
            continue
        scheduler.add_job(
            in_app_context(app, jobs.compile_job),
            CronTrigger(
                day_of_week="mon",
                hour=settings.compile_at.hour,
                minute=settings.compile_at.minute,
                timezone=settings.tz,
            ),
            id=job_id,
            name=f"Lägesbild, kommun {municipality_id}",
            args=[sessions, municipality_id],
            kwargs={"tz": settings.tz, "at": settings.compile_at},
        )


def build_scheduler(
    sessions: sessionmaker[Session], settings: Settings, lock: LeaderLock, *, app: Flask
) -> BlockingScheduler:
    """The scheduler with every job, each run inside ``app``'s context."""
    scheduler = BlockingScheduler(
        timezone=settings.tz,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE},
    )
    add_compile_jobs(scheduler, sessions, settings, app)
    # Gallring every night at 02:30 local time, when nobody reports.
    scheduler.add_job(
        in_app_context(app, retention_job),
        CronTrigger(hour=2, minute=30, timezone=settings.tz),
        id="retention",
        name="Gallring",
        args=[sessions, settings],
    )

    def sync_and_check() -> None:
        if not lock.is_held():
            scheduler.shutdown(wait=False)
            return
        try:
            add_compile_jobs(scheduler, sessions, settings, app)
        except Exception:
            log.exception("could not refresh the kommuner's compile jobs")

    # New kommuner get their job; a lost leader connection stops this process.
    scheduler.add_job(
        in_app_context(app, sync_and_check), "interval", minutes=SYNC_MINUTES, id="scheduler-sync"
    )
    # Each run does what is due at that moment, so a late run is simply the next one: a short
    # grace and no catch-up.
    for job, minutes, job_id, name in INTERVAL_JOBS:
        scheduler.add_job(
            in_app_context(app, job),
            "interval",
            minutes=minutes,
            id=job_id,
            name=name,
            args=[sessions, settings],
            coalesce=True,
            max_instances=1,
            misfire_grace_time=60,
        )
    return scheduler


@click.command("scheduler")
@click.option(
    "--retry-seconds", default=30, show_default=True, help="Väntan mellan försök att bli ledare."
)
@click.option(
    "--once",
    is_flag=True,
    help=(
        "Kör bara missade sammanställningar och de påminnelser som är aktuella, och avsluta "
        "(t.ex. från cron). Leder en annan schemaläggare avslutas kommandot direkt, eftersom "
        "ledaren kör dem."
    ),
)
@with_appcontext
def scheduler_command(retry_seconds: int, once: bool) -> None:
    """Run the scheduled jobs (lägesbild, outbox, reminders) until stopped, or only catch up
    (--once)."""
    settings: Settings = current_app.config["SETTINGS"]
    problem = first_startup_problem(settings)
    if problem is not None:
        raise start_refused(problem.message, exit_code_for(problem))
    configure_logging(settings, component="scheduler")
    engine: Engine = current_app.extensions["estapp.engine"]
    sessions: sessionmaker[Session] = current_app.extensions["estapp.sessions"]
    stop = threading.Event()
    holder: dict[str, Any] = {}

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()
        if "scheduler" in holder and holder["scheduler"].running:
            holder["scheduler"].shutdown(wait=False)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    lock = LeaderLock(engine)
    try:
        if once and not lock.try_acquire():
            click.echo("En annan schemaläggare leder och kör sammanställningarna; avslutar.")
            return
        if not once and not wait_for_leadership(lock, retry_seconds=retry_seconds, stop=stop):
            return
        heartbeat_job(sessions, settings)
        # A service writes to its log (JSON lines with ESTAPP_LOG_FORMAT=json); --once to a person.
        say = click.echo if once else log.info
        say("Schemaläggaren startar; kör missade sammanställningar först.")
        done = jobs.catch_up(sessions, tz=settings.tz, at=settings.compile_at)
        reminded = reminders_job(sessions, settings)
        if reminded is not None:
            say(f"Påminnelser: {reminded}.")
        if once:
            click.echo(f"Klart: {len(done)} lägesbild(er) sammanställda.")
            return
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        scheduler = holder["scheduler"] = build_scheduler(sessions, settings, lock, app=app)
        if not stop.is_set():
            scheduler.start()
    finally:
        lock.release()
        engine.dispose()  # close pooled connections before exit, not in the garbage collector
