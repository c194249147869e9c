"""The outbox against a real SMTP server on loopback: delivery, retries, failures, idempotence."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from estapp.cli import cli
from estapp.db import make_engine, make_session_factory
from estapp.distribution import outbox
from estapp.distribution.jobs import send_outbox_job
from estapp.distribution.outbox import (
    Attachment,
    InvalidRecipient,
    message_id_for,
    queue_message,
    send_due,
)
from estapp.models import AuditEvent, Municipality, OutboxMessage, OutboxStatus
from tests.conftest import make_settings
from tests.integration.smtp_server import (
    RecordingHandler,
    accept_login,
    refuse_every_login,
    smtp_server,
)

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
KEY = "lagesbild:ekbacka:2026-W47:v2"
ANNA = "anna.berg@skola.ekbacka.example"
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def smtp_settings(database_url, tmp_path, port, **overrides):
    return make_settings(
        database_url,
        tmp_path,
        ESTAPP_SMTP_HOST="127.0.0.1",
        ESTAPP_SMTP_PORT=str(port),
        ESTAPP_MAIL_FROM="EST Ekbacka <est@ekbacka.example>",
        **overrides,
    )


@pytest.fixture
def mail_settings(database_url, tmp_path, port, clean_db):
    return smtp_settings(database_url, tmp_path, port)


@pytest.fixture
def ekbacka(db):
    with db.begin():
        municipality = Municipality(name="Ekbacka", slug="ekbacka")
        db.add(municipality)
    return municipality


def queue(db, settings, recipient=ANNA, *, key=KEY, municipality=None, **extra):
    with db.begin():
        message = queue_message(
            db,
            document_key=key,
            recipient=recipient,
            subject="Lägesbild vecka 47, Ekbacka",
            text="Hej!\n\nHär är veckans lägesbild.\n",
            settings=settings,
            municipality=municipality,
            now=NOW,
            **extra,
        )
    return message


def row(db, message_id):
    db.rollback()
    return db.get(OutboxMessage, message_id, populate_existing=True)


def test_queued_mail_arrives_with_text_html_attachment_and_its_message_id(
    db, sessions, mail_settings, handler, server, ekbacka
):
    queued = queue(
        db,
        mail_settings,
        municipality=ekbacka,
        html="<p>Hej!</p><p>Här är veckans <strong>lägesbild</strong>.</p>",
        attachment=Attachment("lagesbild-ekbacka-2026-W47.pdf", "application/pdf", PDF),
    )

    summary = send_due(sessions, mail_settings, now=NOW)

    assert (summary.sent, summary.failed, summary.waiting) == (1, 0, 0)
    assert str(summary) == "Skickade 1, väntar 0, misslyckade 0"
    [received] = handler.received
    assert received.mail_from == "est@ekbacka.example"
    assert received.recipients == [ANNA]
    mail = received.message
    expected_id = message_id_for(KEY, ANNA, "ekbacka.example")
    assert mail["Message-ID"] == expected_id == queued.message_id
    assert mail["Subject"] == "Lägesbild vecka 47, Ekbacka"
    assert mail["From"] == "EST Ekbacka <est@ekbacka.example>"
    assert mail["Date"] is not None and mail["Auto-Submitted"] == "auto-generated"
    assert "Här är veckans lägesbild." in mail.get_body(("plain",)).get_content()
    assert "<strong>lägesbild</strong>" in mail.get_body(("html",)).get_content()
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "lagesbild-ekbacka-2026-W47.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF

    sent = row(db, queued.id)
    assert sent.status == OutboxStatus.SENT and sent.sent_at == NOW and sent.attempts == 1
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "mail_sent"))
    assert event.object_type == "outbox_message" and event.object_id == queued.id
    assert event.municipality_id == ekbacka.id
    assert event.details["recipient"] == ANNA and event.details["message_id"] == expected_id
    assert "Här är veckans" not in str(event.details)


def test_message_id_is_fixed_by_document_and_recipient():
    first = message_id_for(KEY, ANNA, "ekbacka.example")
    assert first == message_id_for(KEY, ANNA, "ekbacka.example")
    assert first != message_id_for(KEY, "b@ekbacka.example", "ekbacka.example")
    assert first != message_id_for(KEY.replace("v2", "v3"), ANNA, "ekbacka.example")
    assert first.startswith("<") and first.endswith("@ekbacka.example>") and len(first) == 50


def test_with_the_server_down_the_mail_waits_and_then_goes_exactly_once(
    db, sessions, mail_settings, handler, port
):
    queued = queue(db, mail_settings)

    down = send_due(sessions, mail_settings, now=NOW)

    assert (down.sent, down.retrying, down.failed, down.waiting) == (0, 1, 0, 1)
    waiting = row(db, queued.id)
    assert waiting.status == OutboxStatus.QUEUED and waiting.attempts == 1
    assert "anslutningen nekades" in waiting.last_error and f":{port}" in waiting.last_error
    assert waiting.next_attempt_at == NOW + timedelta(minutes=1)
    # Not due yet: a run in the same minute leaves it alone.
    assert send_due(sessions, mail_settings, now=NOW + timedelta(seconds=30)).retrying == 0
    assert row(db, queued.id).attempts == 1

    with smtp_server(handler, port):
        later = NOW + timedelta(minutes=1)
        for minute in range(4):
            send_due(sessions, mail_settings, now=later + timedelta(minutes=minute))

    assert len(handler.received) == 1
    delivered = row(db, queued.id)
    assert delivered.status == OutboxStatus.SENT and delivered.last_error is None
    assert delivered.attempts == 2


def test_a_temporary_refusal_is_retried_later(db, sessions, mail_settings, handler, server):
    handler.rcpt_replies[ANNA] = "451 4.3.0 Mailbox temporarily unavailable"
    queued = queue(db, mail_settings)

    send_due(sessions, mail_settings, now=NOW)
    first = row(db, queued.id)
    assert first.status == OutboxStatus.QUEUED
    assert "451 4.3.0 Mailbox temporarily unavailable" in first.last_error
    assert "tillfälligt" in first.last_error
    assert first.next_attempt_at == NOW + timedelta(minutes=1)

    send_due(sessions, mail_settings, now=NOW + timedelta(minutes=1))
    second = row(db, queued.id)
    assert second.status == OutboxStatus.QUEUED and second.attempts == 2
    assert second.next_attempt_at == NOW + timedelta(minutes=1 + 5)

    del handler.rcpt_replies[ANNA]
    send_due(sessions, mail_settings, now=NOW + timedelta(minutes=6))
    assert row(db, queued.id).status == OutboxStatus.SENT
    assert len(handler.received) == 1


def test_a_permanent_refusal_fails_with_the_servers_reply(
    db, sessions, mail_settings, handler, server
):
    handler.rcpt_replies[ANNA] = "550 5.1.1 No such user here"
    queued = queue(db, mail_settings)

    summary = send_due(sessions, mail_settings, now=NOW)

    assert (summary.sent, summary.failed, summary.waiting) == (0, 1, 0)
    failed = row(db, queued.id)
    assert failed.status == OutboxStatus.FAILED
    assert failed.last_error == "E-postservern avvisade mottagaren: 550 5.1.1 No such user here"
    attempts = handler.rcpt_attempts
    send_due(sessions, mail_settings, now=NOW + timedelta(days=1))
    assert handler.rcpt_attempts == attempts  # never tried again
    assert handler.received == []


def test_a_refused_login_fails_the_message(db, sessions, database_url, tmp_path, port, clean_db):
    handler = RecordingHandler()
    settings = smtp_settings(
        database_url,
        tmp_path,
        port,
        ESTAPP_SMTP_USER="estapp",
        ESTAPP_SMTP_PASSWORD="fel-lösenord",
    )
    queued = queue(db, settings)
    with smtp_server(
        handler,
        port,
        authenticator=refuse_every_login,
        auth_require_tls=False,
        auth_exclude_mechanism=["PLAIN"],  # so smtplib uses AUTH LOGIN
    ):
        summary = send_due(sessions, settings, now=NOW)

    assert summary.failed == 1
    failed = row(db, queued.id)
    assert failed.status == OutboxStatus.FAILED
    assert failed.last_error.startswith("Inloggningen på e-postservern misslyckades")
    assert "535" in failed.last_error
    assert handler.received == []


def test_a_password_with_swedish_letters_logs_in(
    db, sessions, database_url, tmp_path, port, clean_db
):
    handler = RecordingHandler()
    settings = smtp_settings(
        database_url, tmp_path, port, ESTAPP_SMTP_USER="estapp", ESTAPP_SMTP_PASSWORD="rätt-lösen"
    )
    queue(db, settings)
    for mechanism in ("PLAIN", "LOGIN"):
        handler.received.clear()
        with db.begin():
            db.scalar(select(OutboxMessage)).status = OutboxStatus.QUEUED
        with smtp_server(
            handler,
            port,
            authenticator=accept_login("estapp", "rätt-lösen"),
            auth_require_tls=False,
            auth_exclude_mechanism=[other for other in ("PLAIN", "LOGIN") if other != mechanism],
        ):
            assert send_due(sessions, settings, now=NOW).sent == 1, mechanism
        assert len(handler.received) == 1


def test_wrong_security_setting_is_recorded_not_raised(
    db, sessions, database_url, tmp_path, port, handler, server, clean_db
):
    tls_to_plain = smtp_settings(database_url, tmp_path, port, ESTAPP_SMTP_SECURITY="ssl")
    queued = queue(db, tls_to_plain)
    assert send_due(sessions, tls_to_plain, now=NOW).retrying == 1
    assert "TLS-fel" in row(db, queued.id).last_error

    starttls = smtp_settings(database_url, tmp_path, port, ESTAPP_SMTP_SECURITY="starttls")
    assert send_due(sessions, starttls, now=NOW + timedelta(minutes=1)).failed == 1
    failed = row(db, queued.id)
    assert failed.status == OutboxStatus.FAILED and "ESTAPP_SMTP_SECURITY" in failed.last_error
    assert handler.received == []


def test_a_crash_after_sending_resends_with_the_same_message_id(
    db, sessions, mail_settings, handler, server
):
    from estapp.distribution import smtp

    queued = queue(db, mail_settings)
    # A sender claims the row and the server accepts the mail; then the process dies unmarked.
    mail = outbox._claim_next(sessions, now=NOW)
    smtp.deliver(smtp.compose(mail, mail_settings, now=NOW), mail.recipient, mail_settings)
    assert row(db, queued.id).status == OutboxStatus.SENDING

    # A sender that is merely slow is left alone ...
    assert send_due(sessions, mail_settings, now=NOW + timedelta(minutes=5)).sent == 0
    # ... but one silent for longer than STALE_AFTER has died: the row goes out again.
    assert send_due(sessions, mail_settings, now=NOW + timedelta(minutes=11)).sent == 1

    first, second = handler.received
    assert first.message["Message-ID"] == second.message["Message-ID"] == queued.message_id
    assert row(db, queued.id).status == OutboxStatus.SENT


def test_two_senders_never_send_the_same_row(db, sessions, mail_settings, handler, server):
    recipients = [f"partner{number}@ekbacka.example" for number in range(12)]
    for recipient in recipients:
        queue(db, mail_settings, recipient)
    errors = []

    def sender():
        try:
            send_due(sessions, mail_settings, now=NOW)
        except Exception as error:  # surfaced below; a thread cannot fail the test itself
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(r for received in handler.received for r in received.recipients) == sorted(
        recipients
    )
    statuses = set(db.scalars(select(OutboxMessage.status)))
    assert statuses == {OutboxStatus.SENT}


def test_the_same_document_is_queued_once_per_recipient(db, mail_settings):
    first = queue(db, mail_settings, "Anna.Berg@Skola.Ekbacka.Example")
    again = queue(db, mail_settings, " anna.berg@skola.ekbacka.EXAMPLE ")
    other = queue(db, mail_settings, "bo@ekbacka.example")
    next_version = queue(db, mail_settings, "bo@ekbacka.example", key=KEY.replace("v2", "v3"))

    assert again.id == first.id
    assert len({first.id, other.id, next_version.id}) == 3
    assert db.scalars(select(OutboxMessage.recipient).order_by(OutboxMessage.id)).all() == [
        "anna.berg@skola.ekbacka.example",
        "bo@ekbacka.example",
        "bo@ekbacka.example",
    ]


def test_losing_the_race_to_queue_returns_the_winners_row(db, engine, mail_settings, monkeypatch):
    first = queue(db, mail_settings)
    # As if this transaction had looked before the other one committed: the insert then hits
    # the unique key, and the caller's transaction must survive it and get the existing row.
    real_find = outbox._find
    looks = []

    def find_too_early(*args):
        looks.append(args)
        return None if len(looks) == 1 else real_find(*args)

    monkeypatch.setattr(outbox, "_find", find_too_early)
    other = make_session_factory(engine)()
    try:
        with other.begin():
            other.add(Municipality(name="Sjövik", slug="sjovik"))
            found = queue_message(
                other,
                document_key=KEY,
                recipient=ANNA,
                subject="x",
                text="x",
                settings=mail_settings,
                now=NOW,
            )
            assert found.id == first.id
    finally:
        other.close()
    assert len(looks) == 2  # the insert was tried, and refused by the unique key
    assert db.scalar(select(Municipality.slug)) == "sjovik"  # the caller's work was kept
    assert len(db.scalars(select(OutboxMessage)).all()) == 1


@pytest.mark.parametrize("address", ["inte en adress", "anna@", "anna@localhost", ""])
def test_an_address_that_is_not_an_address_is_refused_in_swedish(db, mail_settings, address):
    with pytest.raises(InvalidRecipient) as refused:
        queue(db, mail_settings, address)
    assert str(refused.value) == f"{address.strip()!r} är ingen giltig e-postadress"
    assert db.scalars(select(OutboxMessage)).all() == []


def test_retry_delays_grow_and_then_stay_hourly():
    delays = [outbox.retry_delay(attempts) for attempts in range(1, 8)]
    assert [delay.total_seconds() / 60 for delay in delays] == [1, 5, 15, 60, 60, 60, 60]


def test_after_the_last_attempt_the_message_fails(db, sessions, mail_settings, port):
    queued = queue(db, mail_settings)
    with db.begin():
        db.get(OutboxMessage, queued.id).attempts = outbox.MAX_ATTEMPTS - 1

    summary = send_due(sessions, mail_settings, now=NOW)  # nothing listens on the port

    assert summary.failed == 1
    failed = row(db, queued.id)
    assert failed.status == OutboxStatus.FAILED
    assert failed.last_error.startswith(f"Gav upp efter {outbox.MAX_ATTEMPTS} försök.")
    assert "anslutningen nekades" in failed.last_error


def test_the_job_logs_instead_of_raising(tmp_path, mail_settings, caplog):
    broken = make_engine(f"sqlite:///{tmp_path / 'no-tables.sqlite3'}")
    try:
        assert send_outbox_job(make_session_factory(broken), mail_settings, now=NOW) is None
    finally:
        broken.dispose()
    assert "outbox: sending failed" in caplog.text


def test_the_job_sends(db, sessions, mail_settings, handler, server):
    queue(db, mail_settings)
    summary = send_outbox_job(sessions, mail_settings, now=NOW)
    assert summary is not None and summary.sent == 1
    assert len(handler.received) == 1


def test_the_scheduler_sends_the_outbox_every_minute(engine, sessions, mail_settings, app):
    from estapp.scheduler import LeaderLock, build_scheduler

    scheduler = build_scheduler(sessions, mail_settings, LeaderLock(engine), app=app)
    job = scheduler.get_job("outbox-send")
    assert job.func.__wrapped__ is send_outbox_job  # run inside the app's context
    assert job.trigger.interval == timedelta(minutes=1)
    assert job.coalesce is True and job.max_instances == 1
    assert scheduler.get_job("scheduler-sync") is not None


# --- estapp outbox list / send ---------------------------------------------------------------


@pytest.fixture
def app(mail_settings):
    from estapp import create_app

    app = create_app(mail_settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["estapp.engine"].dispose()


def run(app, *args):
    return app.test_cli_runner().invoke(cli, ["outbox", *args])


def test_cli_send_and_list(app, db, mail_settings, handler, server):
    queue(db, mail_settings, key="lagesbild:ekbacka:2026-W47:v1")
    handler.rcpt_replies["bo@ekbacka.example"] = "550 5.1.1 No such user here"
    queue(db, mail_settings, "bo@ekbacka.example")

    sent = run(app, "send")
    assert sent.exit_code == 0, sent.output
    assert sent.output.strip() == "Skickade 1, väntar 0, misslyckade 1"

    listing = run(app, "list")
    assert listing.exit_code == 0, listing.output
    header, *lines = listing.output.splitlines()
    assert header.split()[:4] == ["id", "status", "mottagare", "ämne"]
    assert len(lines) == 2
    assert "misslyckad" in lines[0] and "bo@ekbacka.example" in lines[0]
    assert "550 5.1.1 No such user here" in lines[0]
    assert "skickad" in lines[1] and ANNA in lines[1] and "Lägesbild vecka 47" in lines[1]

    failed = run(app, "list", "--status", "failed")
    assert failed.exit_code == 0
    assert len(failed.output.splitlines()) == 2 and ANNA not in failed.output


def test_cli_list_shows_the_waiting_message_and_its_next_attempt(app, db, mail_settings, port):
    queue(db, mail_settings)
    result = run(app, "send")  # nothing listens on the port
    assert result.output.strip() == "Skickade 0, väntar 1, misslyckade 0"
    listing = run(app, "list", "--status", "queued")
    line = listing.output.splitlines()[1]
    assert "köad" in line and "anslutningen nekades" in line
    next_attempt = row(db, db.scalar(select(OutboxMessage.id))).next_attempt_at
    assert next_attempt.astimezone(mail_settings.tz).strftime("%Y-%m-%d %H:%M") in line


def test_cli_errors_are_one_swedish_line(app, clean_db):
    unknown = run(app, "list", "--status", "borta")
    assert unknown.exit_code != 0
    assert unknown.output.strip() == (
        "Fel: okänd status 'borta'; välj en av queued, sending, sent, failed"
    )
    assert run(app, "send", "--limit", "0").output.strip() == "Fel: --limit måste vara minst 1"
    empty = run(app, "list")
    assert empty.exit_code == 0 and empty.output.strip() == "Utkorgen är tom."
