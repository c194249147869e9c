"""Two scheduler processes, and the leader is killed with SIGKILL in the middle of a compile:
the other takes over and exactly one complete lägesbild per kommun is stored, with no partial
rows of the killed one.

To kill at a known point the test holds a lock on the audit table: the leader's compile has
then claimed its run and written its picture, and waits (in its open transaction) to write the
audit row that comes last. That is where it is killed.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from datetime import time as clock_time

import pytest
from sqlalchemy import Connection, func, select, text
from sqlalchemy.engine import make_url

from estapp.db import utcnow
from estapp.lagesbild import jobs
from estapp.models import AuditEvent, CompileRun, Municipality, SituationPicture
from tests.integration.lagesbild_support import committed, kommun, organisation, report
from tests.integration.production_support import production_environment, scheduler_service
from tests.reliability.world import TZ

pytestmark = pytest.mark.postgres_only

WAIT = 60  # seconds for any one step: a start, a takeover, a compile
SIX = clock_time(6, 0)


def until(what: str, check: Callable[[], object], log_paths=()) -> object:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    logs = "\n".join(path.read_text()[-3000:] for path in log_paths)
    raise AssertionError(f"{what}: not within {WAIT} s\n{logs}")


def named(database_url: str, name: str) -> str:
    """The database URL with an application_name, so the test can find the process's backends."""
    return (
        make_url(database_url)
        .update_query_dict({"application_name": name})
        .render_as_string(hide_password=False)
    )


def backends(watch: Connection, name: str) -> list[tuple[int, str | None]]:
    """(pid, wait event type) of the process's database connections."""
    rows = watch.execute(
        text("SELECT pid, wait_event_type FROM pg_stat_activity WHERE application_name = :name"),
        {"name": name},
    ).all()
    watch.commit()
    return [tuple(row) for row in rows]


def tables_written_by(watch: Connection, backend: int) -> set[str]:
    rows = watch.execute(
        text(
            "SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE l.pid = :pid AND l.mode = 'RowExclusiveLock'"
        ),
        {"pid": backend},
    ).scalars()
    found = set(rows)
    watch.commit()
    return found


@pytest.mark.time_limit(150)
def test_a_scheduler_killed_mid_compile_leaves_nothing_and_the_other_compiles_once(
    demo, engine, database_url, tmp_path
):
    week, scheduled_for = jobs.latest_due(utcnow(), TZ, SIX)
    with committed(demo):
        for slug in ("ekbacka", "sjovik"):
            report(
                demo,
                kommun(demo, slug),
                organisation(demo, "Polisen"),
                week,
                [("Klotter", "Stora torget" if slug == "ekbacka" else "Badplatsen", 4)],
            )
    kommuner = demo.scalar(select(func.count()).select_from(Municipality))
    logs = {name: tmp_path / f"scheduler-{name}.log" for name in ("a", "b")}

    with engine.connect() as gate, engine.connect() as watch:
        gate.execute(text("LOCK TABLE audit_event IN SHARE MODE"))  # inserts wait, reads do not
        environ_a = production_environment(named(database_url, "scheduler-a"), tmp_path)
        with scheduler_service(environ_a, logs["a"], "--retry-seconds", "1") as leader:
            blocked = until(
                "the first scheduler is inside its compile",
                lambda: [pid for pid, wait in backends(watch, "scheduler-a") if wait == "Lock"],
                logs.values(),
            )
            # Inside its transaction: the run is claimed and the picture written, not committed.
            assert {"compile_run", "situation_picture"} <= tables_written_by(watch, blocked[0])

            environ_b = production_environment(named(database_url, "scheduler-b"), tmp_path)
            with scheduler_service(environ_b, logs["b"], "--retry-seconds", "1") as follower:
                until(
                    "the second scheduler waits to lead",
                    lambda: "another scheduler leads" in logs["b"].read_text(),
                    logs.values(),
                )
                os.kill(leader.pid, signal.SIGKILL)
                leader.wait(WAIT)
                gate.rollback()  # the audit table is free again

                def compiled() -> bool:
                    done = watch.execute(
                        select(func.count())
                        .select_from(CompileRun)
                        .where(
                            CompileRun.week_start == week.monday, CompileRun.picture_id.is_not(None)
                        )
                    ).scalar()
                    watch.commit()
                    return done == kommuner

                until("the second scheduler compiles every kommun", compiled, logs.values())
                assert follower.poll() is None, logs["b"].read_text()
            until(
                "the killed scheduler's connections are gone",
                lambda: not backends(watch, "scheduler-a"),
                logs.values(),
            )

    assert leader.returncode == -signal.SIGKILL
    demo.rollback()
    pictures = demo.scalars(select(SituationPicture).order_by(SituationPicture.id)).all()
    assert len(pictures) == kommuner  # the killed compile left no picture behind
    assert {(p.municipality_id, p.version) for p in pictures} == {
        (m, 1) for m in demo.scalars(select(Municipality.id))
    }
    assert all(p.payload["total"] == 4 and p.payload_hash for p in pictures)
    runs = demo.scalars(select(CompileRun)).all()
    assert len(runs) == kommuner and all(r.picture_id is not None for r in runs)
    assert {r.scheduled_for for r in runs} == {scheduled_for}
    audited = demo.scalars(
        select(AuditEvent.object_id).where(AuditEvent.action == "situation_picture_compiled")
    ).all()
    assert sorted(audited) == [p.id for p in pictures]  # each picture complete with its audit row
    print(f"\nSIGKILL mitt i sammanställningen: {len(pictures)} lägesbilder, en per kommun")
