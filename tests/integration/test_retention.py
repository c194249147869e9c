"""Gallring: old observations go, recent ones and the lägesbilder stay, and every run is audited."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from pypdf import PdfReader
from sqlalchemy import func, select

from estapp.cli import cli
from estapp.db import utcnow
from estapp.lagesbild import services as lagesbild
from estapp.models import (
    AuditEvent,
    CompileReason,
    Observation,
    ObservationDraft,
    ReportStatus,
    SituationPicture,
    User,
    WeeklyReport,
)
from estapp.retention import purge
from estapp.retention.periods import first_kept_week, months_before
from estapp.weeks import IsoWeek
from tests.integration.lagesbild_support import category, committed, kommun, organisation, report
from tests.web.conftest import field_error, text_of

TZ = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # Monday of week 48
# 24 months before Monday 23 November 2026 is Saturday 23 November 2024, in week 47 of 2024:
# that week is kept whole, the week before it goes.
FIRST_KEPT = IsoWeek(2024, 47)
COORDINATOR = "samordnare@ekbacka.example"
ADMIN = "admin@estapp.example"


def run(sessions, **options):
    return purge.run_retention(sessions, now=NOW, tz=TZ, **options)


def left(db, municipality) -> list[tuple[IsoWeek, str]]:
    """The kommun's observations that remain, as (week, category), oldest first."""
    db.rollback()
    db.expire_all()
    rows = db.execute(
        select(Observation.week_start, Observation.category_id)
        .where(Observation.municipality_id == municipality.id)
        .order_by(Observation.week_start, Observation.id)
    )
    names = {c.id: c.name for c in municipality.categories}
    return [(IsoWeek.of(week_start), names[category_id]) for week_start, category_id in rows]


def purge_events(db) -> list[AuditEvent]:
    db.rollback()
    return list(
        db.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "observations_purged")
            .order_by(AuditEvent.id)
        )
    )


def test_the_first_week_kept_is_whole_and_months_are_calendar_months():
    assert months_before(NOW.date(), 24).isoformat() == "2024-11-23"
    assert months_before(datetime(2027, 3, 31).date(), 13).isoformat() == "2026-02-28"
    assert first_kept_week(NOW.date(), 24) == FIRST_KEPT


def test_observations_older_than_the_period_go_and_the_rest_stay(demo, sessions):
    db = demo
    with committed(db):
        ekbacka, sjovik = kommun(db), kommun(db, "sjovik")
        police = organisation(db, "Polisen")
        old = report(db, ekbacka, police, FIRST_KEPT.shift(-1), [("Klotter", "Stora torget", 3)])
        report(db, ekbacka, police, FIRST_KEPT, [("Klotter", "Garagen", 1)])
        report(db, ekbacka, police, IsoWeek(2026, 47), [("Skadegörelse", "Garagen", 2)])
        report(db, sjovik, police, FIRST_KEPT.shift(-1), [("Klotter", "Hamnen", 1)])
        sjovik.retention_months = 36
        reporter = db.scalar(select(User).where(User.email == "polis@rapport.example"))
        db.add(ObservationDraft(user_id=reporter.id, report_id=old.id, fields='{"x": "text"}'))
    old_id = old.id

    run(sessions)

    assert left(db, ekbacka) == [(FIRST_KEPT, "Klotter"), (IsoWeek(2026, 47), "Skadegörelse")]
    assert left(db, sjovik) == [(FIRST_KEPT.shift(-1), "Klotter")]  # Sjövik keeps 36 months
    # Who reported that week, and when, stays; what was typed but never saved does not.
    assert db.get(WeeklyReport, old_id).status == ReportStatus.SUBMITTED
    assert db.scalar(select(func.count()).select_from(ObservationDraft)) == 0


def test_a_category_with_its_own_period_keeps_it(demo, sessions):
    db = demo
    with committed(db):
        ekbacka = kommun(db)
        police = organisation(db, "Polisen")
        category(db, ekbacka, "Klotter").retention_months = 60
        category(db, ekbacka, "Nedskräpning").retention_months = 13
        two_years = FIRST_KEPT.shift(-1)
        report(
            db,
            ekbacka,
            police,
            two_years,
            [("Klotter", "Stora torget", 1), ("Skadegörelse", "Garagen", 1)],
        )
        # 13 months before 23 November 2026 is 23 October 2025, in week 43.
        report(
            db,
            ekbacka,
            police,
            IsoWeek(2025, 42),
            [("Nedskräpning", "Stadsparken", 1), ("Skadegörelse", "Garagen", 1)],
        )
        report(db, ekbacka, police, IsoWeek(2025, 43), [("Nedskräpning", "Stadsparken", 1)])

    run(sessions)

    assert left(db, ekbacka) == [
        (two_years, "Klotter"),  # 60 months
        (IsoWeek(2025, 42), "Skadegörelse"),  # the kommun's 24 months
        (IsoWeek(2025, 43), "Nedskräpning"),  # 13 months, the week of the limit kept
    ]


def test_each_run_writes_one_audit_event_per_kommun_with_counts_only(demo, sessions):
    db = demo
    with committed(db):
        ekbacka = kommun(db)
        category(db, ekbacka, "Skadegörelse").retention_months = 13
        report(
            db,
            ekbacka,
            organisation(db, "Polisen"),
            FIRST_KEPT.shift(-3),
            [
                ("Klotter", "Stora torget", 4),
                ("Klotter", "Garagen", 1),
                ("Skadegörelse", "Garagen", 1),
            ],
        )
    earlier = [e.id for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert earlier  # the demo's own events

    run(sessions)

    events = purge_events(db)
    assert [e.object_id for e in events] == [kommun(db).id, kommun(db, "sjovik").id]
    first, second = events
    assert first.actor_id is None and first.municipality_id == kommun(db).id
    assert first.details == {
        "observations": 3,
        "drafts": 0,
        "retention_months": 24,
        "kept_from": str(FIRST_KEPT),
        "by_category": ["Skadegörelse: 1 (13 mån)", "Klotter: 2"],
    }
    assert second.details["observations"] == 0 and second.details["by_category"] == []
    assert "Beskrivning" not in str(first.details)
    # The audit log itself is never gallrad.
    remaining = set(db.scalars(select(AuditEvent.id)))
    assert set(earlier) <= remaining and len(remaining) == len(earlier) + 2


def test_a_large_backlog_goes_in_batches(demo, sessions):
    db = demo
    with committed(db):
        ekbacka = kommun(db)
        report(
            db,
            ekbacka,
            organisation(db, "Polisen"),
            FIRST_KEPT.shift(-30),
            [("Klotter", "Stora torget", 1)] * 5,
        )
    [found, _sjovik] = run(sessions, batch_size=2)
    assert found.observations == 5
    assert left(db, ekbacka) == []


def test_a_run_cut_short_is_audited_with_what_went(demo, sessions, monkeypatch):
    db = demo
    with committed(db):
        ekbacka = kommun(db)
        report(
            db,
            ekbacka,
            organisation(db, "Polisen"),
            FIRST_KEPT.shift(-30),
            [("Klotter", "Stora torget", 1)] * 3,
        )
    real_batch = purge._delete_batch
    batches: list[int] = []

    def failing_after_one_batch(*args, **kwargs):
        if batches:
            raise RuntimeError("the database went away")
        deleted = real_batch(*args, **kwargs)
        if deleted:
            batches.append(deleted)
        return deleted

    monkeypatch.setattr(purge, "_delete_batch", failing_after_one_batch)
    with pytest.raises(RuntimeError):
        run(sessions, batch_size=2)
    [event] = purge_events(db)
    assert event.details["observations"] == 2 and event.details["interrupted"] is True
    assert len(left(db, ekbacka)) == 1  # the next run takes the rest


def test_the_nightly_job_runs_at_half_past_two_local_time(app, engine, sessions, settings):
    from estapp.scheduler import LeaderLock, build_scheduler

    scheduler = build_scheduler(sessions, settings, LeaderLock(engine), app=app)
    job = scheduler.get_job("retention")
    assert job.func.__wrapped__ is purge.retention_job  # run inside the app's context
    assert isinstance(job.trigger, CronTrigger)
    night = datetime(2026, 11, 23, 12, 0, tzinfo=TZ)
    assert job.trigger.get_next_fire_time(None, night) == datetime(2026, 11, 24, 2, 30, tzinfo=TZ)


# --- estapp retention run -----------------------------------------------------------------


def test_the_command_shows_what_a_dry_run_would_delete_and_deletes_nothing(app, demo):
    db = demo
    long_ago = IsoWeek.containing(utcnow(), TZ).shift(-120)
    with committed(db):
        report(
            db,
            kommun(db),
            organisation(db, "Polisen"),
            long_ago,
            [("Klotter", "Stora torget", 1), ("Klotter", "Garagen", 2)],
        )
    runner = app.test_cli_runner()

    dry = runner.invoke(cli, ["retention", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Ekbacka (gallringsfrist 24 månader): skulle radera 2 händelser" in dry.output
    assert "(Klotter 2) och 0 utkast" in dry.output
    assert "Sjövik (gallringsfrist 24 månader): inget att radera" in dry.output
    assert "Provkörning: inget är raderat." in dry.output
    assert len(left(db, kommun(db))) == 2
    assert purge_events(db) == []

    done = runner.invoke(cli, ["retention", "run"])
    assert done.exit_code == 0, done.output
    assert "Ekbacka (gallringsfrist 24 månader): raderade 2 händelser" in done.output
    assert left(db, kommun(db)) == []
    assert len(purge_events(db)) == 2


def test_an_unknown_option_is_one_line_without_a_traceback(app, demo):
    result = app.test_cli_runner().invoke(cli, ["retention", "run", "--torr"])
    assert result.exit_code != 0
    assert "--torr" in result.output and "Traceback" not in result.output


# --- the lägesbild of a gallrad week --------------------------------------------------------


def pdf_text(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_an_old_lagesbild_keeps_its_figures_and_is_not_recompiled_empty(demo, sessions, login):
    db = demo
    old = IsoWeek.containing(utcnow(), TZ).shift(-110)
    back_then = datetime.combine(old.sunday + timedelta(days=1), time(8, 0), tzinfo=UTC)
    with committed(db):
        ekbacka = kommun(db)
        report(
            db,
            ekbacka,
            organisation(db, "Polisen"),
            old,
            [("Klotter", "Stora torget", 5), ("Skadegörelse", "Garagen", 2)],
        )
        picture, _ = lagesbild.compile_picture(
            db, ekbacka, old, reason=CompileReason.CLI, actor=None, now=back_then
        )
        lagesbild.publish_picture(db, picture, actor=None, now=back_then)

    purge.run_retention(sessions, now=utcnow(), tz=TZ)
    assert left(db, ekbacka) == []

    web = login(COORDINATOR)
    url = f"/lagesbild/ekbacka/{old}"
    page = text_of(web.get(url))
    assert "Händelser 7" in page and "Klotter 5" in page and "Skadegörelse 2" in page
    pdf = web.get(f"{url}/pdf")
    assert pdf.status_code == 200
    assert "Händelser 7" in pdf_text(pdf.data) and "Skadegörelse <3" in pdf_text(pdf.data)

    response = web.post(f"{url}/sammanstall", {}, form_page=url)
    page = text_of(web.get(response.headers["Location"]))
    assert f"{old.label().capitalize()} kan inte sammanställas på nytt" in page
    assert "Händelser 7" in page
    db.rollback()
    assert db.scalar(select(func.count()).select_from(SituationPicture)) == 1


def test_a_recent_week_whose_comparisons_reach_gallrade_weeks_is_refused(demo):
    db = demo
    ekbacka = kommun(db)
    ekbacka.retention_months = 13
    # Compiled on 23 November 2026, 2025-W47 compares with 2024-W47; 13 months keep 2025-W43 on.
    with pytest.raises(
        lagesbild.PictureRefused, match="jämför med veckorna tillbaka till vecka 47"
    ):
        lagesbild.compile_picture(
            db, ekbacka, IsoWeek(2025, 47), reason=CompileReason.CLI, actor=None, now=NOW
        )
    picture, created = lagesbild.compile_picture(
        db, ekbacka, IsoWeek(2026, 47), reason=CompileReason.CLI, actor=None, now=NOW
    )
    assert created and picture.version == 1


# --- setting the periods ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("6", "Ange ett heltal från 13 till 120 månader."),
        ("121", "Ange ett heltal från 13 till 120 månader."),
        ("två år", "Ange gallringsfristen som ett heltal, till exempel 24."),
        ("", "Ange gallringsfristen i hela månader, till exempel 24."),
    ],
)
def test_the_coordinator_is_told_at_the_field_what_period_is_allowed(demo, login, typed, message):
    web = login(COORDINATOR)
    url = "/samordning/ekbacka/installningar/gallring"
    response = web.post(
        url, {"retention_months": typed}, form_page="/samordning/ekbacka/installningar"
    )
    assert response.status_code == 400
    assert field_error(response, "retention_months") == message
    assert kommun(demo).retention_months == 24


def test_the_coordinator_sets_the_period_and_it_is_audited(demo, login):
    with committed(demo):
        category(demo, kommun(demo), "Klotter").retention_months = 60
    web = login(COORDINATOR)
    settings_url = "/samordning/ekbacka/installningar"
    page = text_of(web.get(settings_url))
    assert "Gallring av händelser" in page
    assert "egen gallringsfrist (ändras av administratören): Klotter: 60 månader" in page
    response = web.post(
        f"{settings_url}/gallring", {"retention_months": "36"}, form_page=settings_url
    )
    assert response.status_code == 302
    assert "Gallringsfristen är ändrad." in text_of(web.get(settings_url))
    demo.rollback()
    demo.expire_all()  # outside a transaction rollback() leaves the cached row as it was
    assert kommun(demo).retention_months == 36
    [event] = demo.scalars(select(AuditEvent).where(AuditEvent.action == "retention_changed"))
    assert event.details == {"name": "Ekbacka", "changes": {"retention_months": [24, 36]}}


def test_another_kommuns_coordinator_cannot_set_the_period(demo, login):
    web = login("samordnare@sjovik.example")
    response = web.post(
        "/samordning/ekbacka/installningar/gallring",
        {"retention_months": "13"},
        form_page="/samordning/sjovik/installningar",
    )
    assert response.status_code == 403
    assert kommun(demo).retention_months == 24


def test_the_admin_gives_a_category_its_own_period_and_refuses_a_bad_one(demo, login):
    web = login(ADMIN)
    ekbacka = kommun(demo)
    klotter = category(demo, ekbacka, "Klotter")
    url = f"/admin/kommuner/{ekbacka.id}/handelsetyper/{klotter.id}/andra"
    response = web.post(url, {"name": "Klotter", "retention_months": "3"})
    assert response.status_code == 400
    assert field_error(response, "retention_months") == "Ange ett heltal från 13 till 120 månader."

    response = web.post(url, {"name": "Klotter", "retention_months": "60"})
    page = text_of(web.get(response.headers["Location"]))
    assert "Händelsetypen Klotter är sparad." in page
    assert "Klotter aktiv 60 månader (egen)" in page
    assert "Skadegörelse aktiv 24 månader" in page

    response = web.post(url, {"name": "Klotter", "retention_months": ""})
    assert "Klotter aktiv 24 månader" in text_of(web.get(response.headers["Location"]))
    demo.rollback()
    changes = [
        e.details["changes"]["retention_months"]
        for e in demo.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "category_retention_changed")
            .order_by(AuditEvent.id)
        )
    ]
    assert changes == [[None, 60], [60, None]]


def test_the_admin_sets_a_kommuns_period_from_the_category_page(demo, login):
    web = login(ADMIN)
    ekbacka = kommun(demo)
    categories = f"/admin/kommuner/{ekbacka.id}/handelsetyper"
    assert f'href="/admin/kommuner/{ekbacka.id}/gallring"' in web.get(categories).get_data(
        as_text=True
    )
    url = f"/admin/kommuner/{ekbacka.id}/gallring"
    response = web.post(url, {"retention_months": "abc"})
    assert response.status_code == 400
    assert field_error(response, "retention_months") == (
        "Ange gallringsfristen som ett heltal, till exempel 24."
    )
    response = web.post(url, {"retention_months": "48"})
    page = text_of(web.get(response.headers["Location"]))
    assert "Gallringsfristen för Ekbacka är sparad." in page
    assert "Händelser gallras 48 månader efter sin vecka" in page
