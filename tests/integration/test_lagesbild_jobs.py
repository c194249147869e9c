"""The scheduled compile: exactly once, catch-up after downtime, and the leader lock."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from estapp.db import make_engine, make_session_factory
from estapp.lagesbild import jobs
from estapp.models import CompileRun, SituationPicture
from estapp.scheduler import LeaderLock, wait_for_leadership
from estapp.weeks import IsoWeek
from tests.integration.lagesbild_support import committed, kommun, organisation, report

TZ = ZoneInfo("Europe/Stockholm")
SIX = time(6, 0)
# Monday 23 November 2026, 06:00 in Stockholm is 05:00 UTC.
MONDAY_0700 = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


@pytest.fixture
def sessions(engine):
    return make_session_factory(engine)


def pictures(db) -> int:
    db.rollback()
    return db.scalar(select(func.count()).select_from(SituationPicture))


def test_latest_due_is_the_last_monday_morning_that_passed():
    assert jobs.latest_due(MONDAY_0700, TZ, SIX) == (
        IsoWeek(2026, 47),
        datetime(2026, 11, 23, 6, 0, tzinfo=TZ),
    )
    before_six = datetime(2026, 11, 23, 4, 59, tzinfo=UTC)
    assert jobs.latest_due(before_six, TZ, SIX)[0] == IsoWeek(2026, 46)


def test_the_job_run_twice_for_one_scheduled_time_makes_one_picture(demo, sessions):
    with committed(demo):
        report(
            demo,
            kommun(demo),
            organisation(demo, "Polisen"),
            IsoWeek(2026, 47),
            [("Klotter", "Garagen", 3)],
        )
    ekbacka_id = kommun(demo).id
    first = jobs.compile_job(sessions, ekbacka_id, tz=TZ, at=SIX, now=MONDAY_0700)
    second = jobs.compile_job(sessions, ekbacka_id, tz=TZ, at=SIX, now=MONDAY_0700)
    assert first is not None and first.payload["total"] == 3
    assert first.week_start == IsoWeek(2026, 47).monday and first.reason == "scheduled"
    assert second is None
    assert pictures(demo) == 1
    assert demo.scalar(select(func.count()).select_from(CompileRun)) == 1


def test_two_schedulers_at_once_produce_one_picture(demo, database_url):
    ekbacka_id = kommun(demo).id
    demo.rollback()
    # Two processes: two engines, two connections, started together.
    engines = [make_engine(database_url) for _ in range(2)]
    results: list[object] = []
    start = threading.Barrier(2)

    def scheduler_process(engine):
        start.wait()
        results.append(
            jobs.compile_job(
                make_session_factory(engine), ekbacka_id, tz=TZ, at=SIX, now=MONDAY_0700
            )
        )

    threads = [threading.Thread(target=scheduler_process, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    for engine in engines:
        engine.dispose()
    assert len(results) == 2
    assert sum(result is not None for result in results) == 1
    assert pictures(demo) == 1


def test_a_scheduler_started_after_a_missed_monday_compiles_that_week(demo, sessions):
    # The scheduler was down all Monday; it starts on Wednesday and catches up week 47.
    wednesday = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    done = jobs.catch_up(sessions, tz=TZ, at=SIX, now=wednesday)
    assert sorted(p.week_start for p in done) == [IsoWeek(2026, 47).monday] * 2
    assert jobs.catch_up(sessions, tz=TZ, at=SIX, now=wednesday) == []  # once only
    assert pictures(demo) == 2


def test_a_failing_compile_is_logged_and_can_run_again(demo, sessions, monkeypatch, caplog):
    from estapp.lagesbild import services

    def broken(*args, **kwargs):
        raise RuntimeError("database hiccup")

    ekbacka_id = kommun(demo).id
    demo.rollback()
    monkeypatch.setattr(services, "compile_picture", broken)
    assert jobs.compile_job(sessions, ekbacka_id, tz=TZ, at=SIX, now=MONDAY_0700) is None
    assert "compile failed" in caplog.text
    monkeypatch.undo()
    assert jobs.compile_job(sessions, ekbacka_id, tz=TZ, at=SIX, now=MONDAY_0700) is not None


def test_sqlite_needs_no_leader_and_relies_on_the_claim(engine, database_url):
    # On SQLite (one host, `make run`) every scheduler may run jobs; the unique CompileRun
    # claim keeps each compile to once, as the tests above show on both databases.
    first, second = LeaderLock(engine), LeaderLock(make_engine(database_url))
    assert first.needed is (engine.dialect.name == "postgresql")
    if not first.needed:
        assert first.try_acquire() and second.try_acquire()


def test_only_one_scheduler_leads_on_postgresql(engine, database_url):
    if engine.dialect.name != "postgresql":
        return  # see test_sqlite_needs_no_leader_and_relies_on_the_claim
    other_engine = make_engine(database_url)
    first, second = LeaderLock(engine), LeaderLock(other_engine)
    try:
        assert first.try_acquire()
        assert not second.try_acquire()
        stop = threading.Event()
        stop.set()
        assert not wait_for_leadership(second, retry_seconds=0.01, stop=stop)
        first.release()
        assert wait_for_leadership(second, retry_seconds=0.01, stop=threading.Event())
        assert second.is_held()
    finally:
        first.release()
        second.release()
        other_engine.dispose()
