"""Reminders to partners that have not reported, read back from a real SMTP server on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from estapp import create_app
from estapp.admin import accounts
from estapp.admin import services as admin_services
from estapp.db import make_engine, make_session_factory, utcnow
from estapp.distribution import reminders
from estapp.distribution.outbox import send_due
from estapp.distribution.reminders import reminders_job
from estapp.lagesbild import jobs as lagesbild_jobs
from estapp.models import (
    AuditEvent,
    Concern,
    Municipality,
    Organisation,
    OrganisationKind,
    OutboxMessage,
    Reminder,
    ReminderKind,
    TimeOfDay,
    User,
)
from estapp.reporting import services as reporting
from estapp.scheduler import LeaderLock, build_scheduler
from estapp.weeks import IsoWeek
from tests.conftest import make_settings

TZ = ZoneInfo("Europe/Stockholm")
WEEK = IsoWeek(2026, 47)  # 16–22 November 2026, due Monday 23 November 09.00 (UTC+1)
THURSDAY = datetime(2026, 11, 19, 12, 0, tzinfo=UTC)
FRIDAY = datetime(2026, 11, 20, 11, 2, tzinfo=UTC)  # Friday 12.02 in Stockholm
SATURDAY = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
MONDAY_0659 = datetime(2026, 11, 23, 5, 59, tzinfo=UTC)
MONDAY_0701 = datetime(2026, 11, 23, 6, 1, tzinfo=UTC)
MONDAY_0730 = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
DEADLINE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]

EKBACKA = {"polis", "rtj", "skola", "soc", "ekhem", "vakt"}  # the demo partners' reporters
SJOVIK = {"polis", "rtj", "fritid", "sjobo", "vakt"}
PARTNERS = len(EKBACKA) + len(SJOVIK)  # one reminder per partner and kommun


def reporter(key: str) -> str:
    return f"{key}@rapport.example"


@pytest.fixture
def mail_settings(database_url, tmp_path, port, clean_db):
    return make_settings(
        database_url,
        tmp_path,
        ESTAPP_SMTP_HOST="127.0.0.1",
        ESTAPP_SMTP_PORT=str(port),
        ESTAPP_MAIL_FROM="EST <est@estapp.example>",
        ESTAPP_BASE_URL="https://est.ekbacka.example",
    )


@pytest.fixture
def app(mail_settings):
    app = create_app(mail_settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["estapp.engine"].dispose()


@pytest.fixture
def remind(app, sessions, mail_settings, demo):
    """Run the job at ``now`` as the scheduler does: in the app's context."""

    def run(now: datetime) -> reminders.ReminderSummary:
        with app.app_context():
            summary = reminders_job(sessions, mail_settings, now=now)
        assert summary is not None
        return summary

    return run


@pytest.fixture
def inbox(sessions, mail_settings, handler, server):
    """Deliver the outbox to the SMTP server; the mails it accepted, by recipient."""

    def deliver(now: datetime) -> dict[str, list[EmailMessage]]:
        send_due(sessions, mail_settings, now=now)
        received: dict[str, list[EmailMessage]] = defaultdict(list)
        for mail in handler.received:
            for address in mail.recipients:
                received[address].append(mail.message)
        return received

    return deliver


def kommun(db, slug: str) -> Municipality:
    return db.scalar(select(Municipality).where(Municipality.slug == slug))


def user(db, email: str) -> User:
    return db.scalar(select(User).where(User.email == email))


def text_of(mail: EmailMessage) -> str:
    return mail.get_body(("plain",)).get_content()


def html_of(mail: EmailMessage) -> str:
    return mail.get_body(("html",)).get_content()


def subjects(received: dict[str, list[EmailMessage]], address: str) -> list[str]:
    return sorted(mail["Subject"] for mail in received.get(address, []))


def add_observation(db, key: str, slug: str = "ekbacka"):
    """The partner's reporter saves one observation: the week's report is a draft."""
    municipality = kommun(db, slug)
    author = user(db, reporter(key))
    report = reporting.open_report(db, municipality, author.organisation, WEEK, now=THURSDAY)
    area = next(a for a in municipality.areas if a.name == "Centrum")
    category = next(c for c in municipality.categories if c.name == "Klotter")
    reporting.save_observation(
        db,
        author,
        report,
        reporting.ObservationInput(
            occurred_on=date(2026, 11, 18),
            time_of_day=TimeOfDay.EVENING,
            exact_time=None,
            area_id=area.id,
            place_id=area.places[0].id,
            other_place=None,
            category_id=category.id,
            description="Nytt klotter på busskuren.",
            occurrences=2,
            concern=Concern.MEDIUM,
        ),
        deadline=reporting.report_deadline(municipality, WEEK, TZ),
        now=THURSDAY,
    )
    return report


def submit(db, key: str, *, nothing: bool, now: datetime = THURSDAY, slug: str = "ekbacka"):
    municipality = kommun(db, slug)
    author = user(db, reporter(key))
    report = (
        reporting.open_report(db, municipality, author.organisation, WEEK, now=now)
        if nothing
        else add_observation(db, key, slug)
    )
    reporting.submit_report(
        db,
        author,
        report,
        nothing_to_report=nothing,
        expected_revision=None,
        deadline=reporting.report_deadline(municipality, WEEK, TZ),
        now=now,
    )


def count(db, model) -> int:
    db.rollback()
    return db.scalar(select(func.count()).select_from(model))


# --- who gets a reminder, and what it says -----------------------------------------------------


def test_a_partner_that_has_not_reported_gets_one_swedish_reminder(app, remind, inbox, demo):
    summary = remind(FRIDAY)

    assert (summary.reminders, summary.mails) == (PARTNERS, PARTNERS)
    received = inbox(FRIDAY)
    [mail] = received[reporter("skola")]
    assert mail["Subject"] == "Påminnelse: veckorapport för vecka 47 till EST Ekbacka"
    assert mail["From"] == "EST <est@estapp.example>"
    text = text_of(mail)
    assert "Ekbacka kommun, barn och utbildning har ännu inte lämnat sin veckorapport" in text
    assert "till EST i Ekbacka för vecka 47, 2026" in text
    assert "senast måndag 23 november kl. 09.00" in text
    link = "https://est.ekbacka.example/rapport/ekbacka/2026-W47"
    assert link in text
    assert "”Inget att rapportera”" in text
    assert "Sista påminnelse" not in text
    html = html_of(mail)
    assert f'<a href="{link}"' in html
    assert "måndag 23 november kl. 09.00" in html and "Inget att rapportera" in html
    assert "http://" not in html and "src=" not in html  # nothing fetched from elsewhere
    # Nothing about other partners: not their names, not whether they reported.
    for other in ("Polisen", "Räddningstjänsten", "socialtjänsten", "Ekbackahem", "Tryggvakt"):
        assert other not in text and other not in html
    # The link leads to the reporter's page for that kommun and week.
    endpoint, values = app.url_map.bind("est.ekbacka.example").match("/rapport/ekbacka/2026-W47")
    assert endpoint == "reporting.week"
    assert values == {"kommun_slug": "ekbacka", "week_text": "2026-W47"}

    # A partner in both kommuner gets one reminder from each.
    assert subjects(received, reporter("polis")) == [
        "Påminnelse: veckorapport för vecka 47 till EST Ekbacka",
        "Påminnelse: veckorapport för vecka 47 till EST Sjövik",
    ]
    assert set(received) == {reporter(k) for k in EKBACKA | SJOVIK}
    assert sum(len(mails) for mails in received.values()) == PARTNERS


def test_the_mail_is_swedish_whatever_the_reporters_language(remind, inbox, demo):
    user(demo, reporter("skola")).locale = "en"
    demo.commit()

    remind(FRIDAY)

    [mail] = inbox(FRIDAY)[reporter("skola")]
    assert "senast måndag 23 november kl. 09.00" in text_of(mail)
    assert "Rapportera här" in text_of(mail)


def test_reported_partners_get_none_and_a_draft_still_gets_one(remind, inbox, demo):
    submit(demo, "skola", nothing=False)  # submitted with an observation
    submit(demo, "soc", nothing=True)  # "inget att rapportera"
    add_observation(demo, "ekhem")  # a draft with an observation, never sent in
    demo.commit()

    remind(FRIDAY)
    received = inbox(FRIDAY)

    assert reporter("skola") not in received
    assert reporter("soc") not in received
    [draft_mail] = received[reporter("ekhem")]
    assert draft_mail["Subject"] == "Påminnelse: veckorapport för vecka 47 till EST Ekbacka"
    assert "busskuren" not in text_of(draft_mail)  # no observation content in a mail
    ekbacka = {a for a, mails in received.items() for m in mails if "Ekbacka" in m["Subject"]}
    assert ekbacka == {reporter(k) for k in EKBACKA - {"skola", "soc"}}


def test_a_report_in_one_kommun_does_not_stop_the_reminder_in_another(remind, inbox, demo):
    submit(demo, "polis", nothing=True, slug="ekbacka")
    demo.commit()

    remind(FRIDAY)

    assert subjects(inbox(FRIDAY), reporter("polis")) == [
        "Påminnelse: veckorapport för vecka 47 till EST Sjövik"
    ]


def test_running_again_queues_nothing_more(remind, inbox, demo):
    assert remind(FRIDAY).reminders == PARTNERS
    again = remind(FRIDAY)
    later = remind(SATURDAY)

    assert (again.reminders, again.mails, later.reminders) == (0, 0, 0)
    assert count(demo, OutboxMessage) == PARTNERS
    assert count(demo, Reminder) == PARTNERS
    received = inbox(SATURDAY)
    assert len(received[reporter("skola")]) == 1
    assert sum(len(mails) for mails in received.values()) == PARTNERS
    events = demo.scalars(select(AuditEvent).where(AuditEvent.action == "reminder_queued")).all()
    assert len(events) == PARTNERS
    assert {e.details["week"] for e in events} == {"2026-W47"}


def test_two_schedulers_at_once_queue_each_reminder_once(
    app, mail_settings, database_url, demo, caplog
):
    engines = [make_engine(database_url) for _ in range(2)]
    results: list[reminders.ReminderSummary | None] = []
    start = threading.Barrier(2)

    def scheduler_process(engine):
        with app.app_context():
            start.wait()
            results.append(reminders_job(make_session_factory(engine), mail_settings, now=FRIDAY))

    threads = [threading.Thread(target=scheduler_process, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for engine in engines:
        engine.dispose()

    assert len(results) == 2 and None not in results
    assert sum(r.reminders for r in results) == PARTNERS
    assert sum(r.mails for r in results) == PARTNERS
    assert count(demo, Reminder) == PARTNERS
    assert count(demo, OutboxMessage) == PARTNERS
    keys = demo.scalars(select(OutboxMessage.document_key)).all()
    assert len(set(keys)) == PARTNERS  # one mail per partner, kommun and reminder
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "WARNING")], caplog.text


# --- when ----------------------------------------------------------------------------------


def test_nothing_before_the_reminder_time(remind, demo):
    assert remind(datetime(2026, 11, 20, 10, 58, tzinfo=UTC)).reminders == 0  # Friday 11.58
    assert count(demo, OutboxMessage) == 0


def test_the_last_reminder_arrives_on_deadline_day_and_not_before(remind, inbox, handler, demo):
    remind(FRIDAY)
    inbox(FRIDAY)
    handler.received.clear()
    submit(demo, "skola", nothing=True, now=SATURDAY)  # reported over the weekend
    demo.commit()

    assert remind(SATURDAY).reminders == 0
    assert remind(MONDAY_0659).reminders == 0  # 06.59 on the deadline day
    assert inbox(MONDAY_0659) == {}

    last = remind(MONDAY_0701)
    assert last.reminders == PARTNERS - 1
    received = inbox(MONDAY_0701)
    assert reporter("skola") not in received
    [mail] = received[reporter("soc")]
    assert mail["Subject"] == "Sista påminnelse: veckorapport för vecka 47 till EST Ekbacka"
    assert "Tidsfristen går ut i dag kl. 09.00." in text_of(mail)
    assert "senast måndag 23 november kl. 09.00" in text_of(mail)
    assert "Sista påminnelse:" in html_of(mail)
    assert remind(MONDAY_0730).reminders == 0  # the last one, once
    kinds = demo.scalars(select(Reminder.kind).order_by(Reminder.id)).all()
    assert kinds.count(ReminderKind.FIRST) == PARTNERS
    assert kinds.count(ReminderKind.LAST) == PARTNERS - 1


def test_a_scheduler_back_on_monday_morning_sends_only_the_last_reminder(remind, inbox, demo):
    # Nothing ran over the weekend: at 07.30 the first reminder is no longer sent.
    assert remind(MONDAY_0730).reminders == PARTNERS
    received = inbox(MONDAY_0730)
    assert subjects(received, reporter("skola")) == [
        "Sista påminnelse: veckorapport för vecka 47 till EST Ekbacka"
    ]
    assert all(m["Subject"].startswith("Sista ") for ms in received.values() for m in ms)
    assert set(demo.scalars(select(Reminder.kind))) == {ReminderKind.LAST}


def test_nothing_is_sent_from_the_deadline_on(remind, demo):
    assert remind(DEADLINE).reminders == 0
    assert remind(DEADLINE + timedelta(days=1)).reminders == 0
    assert count(demo, OutboxMessage) == 0 and count(demo, Reminder) == 0


def test_a_kommun_with_its_own_times(remind, inbox, demo):
    sjovik = kommun(demo, "sjovik")
    sjovik.reminder_weekday, sjovik.reminder_time = 3, time(15, 0)  # Thursday 15.00
    sjovik.deadline_weekday, sjovik.deadline_time = 2, time(12, 0)  # Wednesday 12.00
    demo.commit()

    thursday_1505 = datetime(2026, 11, 19, 14, 5, tzinfo=UTC)
    assert remind(thursday_1505).reminders == len(SJOVIK)
    [mail] = inbox(thursday_1505)[reporter("fritid")]
    assert "senast onsdag 25 november kl. 12.00" in text_of(mail)
    # On Monday 07.01 Ekbacka's last reminder is due, Sjövik's is not (Wednesday 07.00).
    assert remind(MONDAY_0701).reminders == len(EKBACKA)
    wednesday_0700 = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
    assert remind(wednesday_0700).reminders == len(SJOVIK)


# --- who never gets one --------------------------------------------------------------------


def test_a_kommun_with_reminders_off_gets_none(remind, inbox, demo):
    kommun(demo, "ekbacka").reminders_enabled = False
    demo.commit()

    assert remind(FRIDAY).reminders == len(SJOVIK)
    assert remind(MONDAY_0701).reminders == len(SJOVIK)
    received = inbox(MONDAY_0701)
    all_subjects = [m["Subject"] for ms in received.values() for m in ms]
    assert len(all_subjects) == 2 * len(SJOVIK)
    assert not any("Ekbacka" in s for s in all_subjects)
    assert reporter("skola") not in received


def test_partners_without_an_active_reporter_get_no_reminder_but_a_log_line(
    remind, inbox, demo, monkeypatch, caplog
):
    monkeypatch.setattr(reminders, "_without_recipients", set())
    admin = user(demo, "admin@estapp.example")
    admin_services.create_organisation(
        demo,
        admin,
        "Ekbacka Centrumförening",
        OrganisationKind.NARINGSLIV,
        [kommun(demo, "ekbacka")],
        now=THURSDAY,
    )
    accounts.set_user_active(demo, admin, user(demo, reporter("soc")), False, now=THURSDAY)
    ekhem = user(demo, reporter("ekhem")).organisation
    admin_services.set_organisation_active(demo, admin, ekhem, False, now=THURSDAY)
    demo.commit()

    summary = remind(FRIDAY)
    remind(SATURDAY)

    assert summary.reminders == PARTNERS - 2  # not soc (no active reporter), not ekhem
    received = inbox(SATURDAY)
    assert reporter("soc") not in received and reporter("ekhem") not in received
    reminded = set(
        demo.scalars(
            select(Organisation.name).join(Reminder, Reminder.organisation_id == Organisation.id)
        )
    )
    assert "Ekbacka Centrumförening" not in reminded
    assert "Ekbacka kommun, socialtjänsten" not in reminded
    warnings = [r.getMessage() for r in caplog.records if "no active reporter" in r.getMessage()]
    assert len(warnings) == 2  # once each, though the job ran twice
    assert any("Ekbacka Centrumförening" in w for w in warnings)
    assert any("socialtjänsten" in w for w in warnings)


def test_coordinators_and_viewers_get_no_reminder(remind, inbox, demo):
    remind(FRIDAY)
    received = inbox(FRIDAY)
    assert "samordnare@ekbacka.example" not in received
    assert "lasare@ekbacka.example" not in received


# --- the scheduler -------------------------------------------------------------------------


def test_scheduled_jobs_run_in_the_app_context_from_a_plain_thread(
    app, engine, sessions, mail_settings, demo, caplog
):
    scheduler = build_scheduler(sessions, mail_settings, LeaderLock(engine), app=app)
    job = scheduler.get_job("reminders")
    assert job.trigger.interval == timedelta(minutes=5)
    assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time == 60
    assert job.func.__wrapped__ is reminders_job
    # Every job, the weekly compiles included, is wrapped the same way.
    compile_ids = {f"lagesbild-compile-{m.id}" for m in demo.scalars(select(Municipality))}
    assert compile_ids <= {j.id for j in scheduler.get_jobs()}
    for scheduled in scheduler.get_jobs():
        assert hasattr(scheduled.func, "__wrapped__"), scheduled.id
    assert scheduler.get_job(min(compile_ids)).func.__wrapped__ is lagesbild_jobs.compile_job

    results = {}

    def in_worker_thread(name, func):
        # APScheduler's worker threads have no app context; neither has a new thread.
        thread = threading.Thread(
            target=lambda: results.__setitem__(name, func(*job.args, now=FRIDAY))
        )
        thread.start()
        thread.join(timeout=60)

    in_worker_thread("bare", reminders_job)
    assert results["bare"].reminders == 0  # rendering failed, nothing was claimed
    assert "Working outside of application context" in caplog.text
    assert count(demo, Reminder) == 0

    in_worker_thread("scheduled", job.func)
    assert results["scheduled"].reminders == PARTNERS
    assert count(demo, OutboxMessage) == PARTNERS


def test_scheduler_once_also_sends_the_due_reminders(demo, database_url, tmp_path):
    # Make the current week's first reminder due now, whatever day the test runs.
    week = IsoWeek.containing(utcnow(), TZ)
    for municipality in demo.scalars(select(Municipality)):
        municipality.reminder_weekday = utcnow().astimezone(TZ).weekday()
        municipality.reminder_time = time(0, 0)
    demo.commit()
    environ = {key: value for key, value in os.environ.items() if not key.startswith("ESTAPP_")}
    settings = make_settings(database_url, tmp_path)
    environ.update(
        ESTAPP_ENV="test",
        ESTAPP_DATABASE_URL=database_url,
        ESTAPP_SECRET_KEY=settings.secret_key,
        ESTAPP_INSTANCE_DIR=str(tmp_path),
        ESTAPP_BASE_URL="http://localhost",
        PYTHONWARNINGS="error",
    )

    result = subprocess.run(
        [sys.executable, "-m", "estapp.cli", "scheduler", "--once"],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "Påminnelser:" in result.stdout and "Klart:" in result.stdout
    demo.rollback()
    this_week = demo.scalars(
        select(Reminder).where(
            Reminder.week_start == week.monday, Reminder.kind == ReminderKind.FIRST
        )
    ).all()
    assert len(this_week) == PARTNERS
    messages = demo.scalars(
        select(OutboxMessage).where(OutboxMessage.document_key.like(f"paminnelse:%:{week}:first:%"))
    ).all()
    assert len(messages) == PARTNERS
