"""The scheduler as real OS processes: ``estapp scheduler --once`` against the test database.

The threads in test_lagesbild_jobs share one interpreter; here each scheduler is its own process
with its own engine, connections and (on PostgreSQL) its own try at the leader lock.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from estapp.db import utcnow
from estapp.lagesbild import jobs
from estapp.models import CompileReason, CompileRun, Municipality, SituationPicture
from estapp.weeks import IsoWeek
from tests.conftest import make_settings
from tests.integration.lagesbild_support import committed, kommun, organisation, report

TZ = ZoneInfo("Europe/Stockholm")
SIX = time(6, 0)
TIMEOUT = 60  # seconds for one scheduler process; a hang fails the test instead of the run
REPO = Path(__file__).resolve().parents[2]


def _environment(database_url: str, instance_dir: Path) -> dict[str, str]:
    """The test database and settings, and none of the caller's own ESTAPP_* variables."""
    settings = make_settings(database_url, instance_dir)  # fails here if the settings are wrong
    environ = {key: value for key, value in os.environ.items() if not key.startswith("ESTAPP_")}
    environ.update(
        ESTAPP_ENV="test",
        ESTAPP_DATABASE_URL=database_url,
        ESTAPP_SECRET_KEY=settings.secret_key,
        ESTAPP_INSTANCE_DIR=str(instance_dir),
        ESTAPP_BASE_URL="http://localhost",
        ESTAPP_COMPILE_AT="06:00",
        PYTHONWARNINGS="error",
    )
    return environ


def _start_schedulers(count: int, environ: dict[str, str]) -> list[subprocess.Popen[str]]:
    command = [sys.executable, "-m", "estapp.cli", "scheduler", "--once", "--retry-seconds", "1"]
    return [
        subprocess.Popen(
            command,
            cwd=REPO,
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]


def _finish(processes: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    """Wait for every process (bounded); kill any still running, also when one times out."""
    results = []
    try:
        for process in processes:
            out, err = process.communicate(timeout=TIMEOUT)
            results.append((process.returncode, out, err))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.communicate()
    return results


def _run_schedulers(count: int, database_url: str, instance_dir: Path) -> list[tuple[int, str]]:
    results = _finish(_start_schedulers(count, _environment(database_url, instance_dir)))
    for code, out, err in results:
        assert code == 0, f"scheduler exited with {code}:\n{out}\n{err}"
        assert "Traceback" not in err, err
    return [(code, out) for code, out, _ in results]


def _compiled(output: str) -> int:
    """How many lägesbilder a ``--once`` run says it compiled; 0 when another process led."""
    if "En annan schemaläggare leder" in output:
        return 0
    match = re.search(r"Klart: (\d+) lägesbild", output)
    assert match, output
    return int(match.group(1))


def _missed() -> tuple[IsoWeek, datetime]:
    """The week of the latest Monday compile that has passed, and its scheduled moment."""
    return jobs.latest_due(utcnow(), TZ, SIX)


def test_two_scheduler_processes_at_once_make_one_picture_per_kommun(demo, database_url, tmp_path):
    week, _ = _missed()
    with committed(demo):
        report(demo, kommun(demo), organisation(demo, "Polisen"), week, [("Klotter", "Garagen", 4)])
    kommuner = demo.scalar(select(func.count()).select_from(Municipality))

    outputs = _run_schedulers(2, database_url, tmp_path)

    demo.rollback()
    assert sum(_compiled(out) for _, out in outputs) == kommuner, outputs
    per_kommun = dict(
        demo.execute(
            select(SituationPicture.municipality_id, func.count())
            .where(SituationPicture.week_start == week.monday)
            .group_by(SituationPicture.municipality_id)
        ).all()
    )
    assert len(per_kommun) == kommuner and set(per_kommun.values()) == {1}
    assert demo.scalar(select(func.count()).select_from(SituationPicture)) == kommuner
    runs = demo.scalars(select(CompileRun)).all()
    assert len(runs) == kommuner  # one claim per kommun, none twice
    assert len({r.municipality_id for r in runs}) == kommuner
    assert all(r.week_start == week.monday and r.picture_id is not None for r in runs)
    picture = demo.scalar(
        select(SituationPicture).where(SituationPicture.municipality_id == kommun(demo).id)
    )
    assert picture.payload["total"] == 4 and picture.reason == CompileReason.SCHEDULED


def test_a_scheduler_process_started_after_a_missed_monday_compiles_that_week(
    demo, database_url, tmp_path
):
    # Nothing ran at the last Monday's 06:00 (the scheduler was down): starting it catches up.
    week, scheduled_for = _missed()
    with committed(demo):
        report(demo, kommun(demo), organisation(demo, "Polisen"), week, [("Klotter", "Garagen", 3)])
    assert demo.scalar(select(func.count()).select_from(SituationPicture)) == 0

    [(_, output)] = _run_schedulers(1, database_url, tmp_path)

    assert "kör missade sammanställningar" in output
    demo.rollback()
    picture = demo.scalar(
        select(SituationPicture).where(SituationPicture.municipality_id == kommun(demo).id)
    )
    assert picture is not None, output
    assert picture.week_start == week.monday and picture.version == 1
    assert picture.reason == CompileReason.SCHEDULED and picture.payload["total"] == 3
    run = demo.scalar(select(CompileRun).where(CompileRun.picture_id == picture.id))
    assert run.scheduled_for == scheduled_for

    # Started again, it finds nothing missed: no new run, no new version.
    [(_, again)] = _run_schedulers(1, database_url, tmp_path)
    assert _compiled(again) == 0, again
    demo.rollback()
    assert demo.scalar(select(func.count()).select_from(CompileRun)) == 2  # both kommuner, once
    assert demo.scalar(select(func.count()).select_from(SituationPicture)) == 2
