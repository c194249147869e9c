"""The outbox page: what the coordinator and the admin see, the failure warning, "Försök igen"."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from estapp.db import make_session_factory, utcnow
from estapp.distribution.outbox import Attachment, queue_message, send_due
from estapp.models import AuditEvent, Municipality, OutboxMessage, OutboxStatus
from tests.conftest import make_settings
from tests.integration.smtp_server import RecordingHandler, free_port, smtp_server
from tests.web.conftest import text_of
from tests.web.reporting_support import (
    ADMIN,
    COORDINATOR,
    SJOVIK_COORDINATOR,
    SKOLA,
    VIEWER,
    fresh,
)

OUTBOX = "/samordning/ekbacka/utkorg"
BOARD = "/samordning/ekbacka/status"
BODY = "Hemlig brödtext som aldrig visas i utkorgen."
PDF = b"%PDF-1.7\nbilagans bytes\n%%EOF\n"
REFUSED = "E-postservern avvisade mottagaren: 550 5.1.1 No such user here"
BANNER = re.compile(r"(\d+) utskick kunde inte levereras")


def queue(db, settings, kommun, recipient, subject, *, minutes_ago=0, **state):
    """Queue one message of the kommun (None: of no kommun) and give it a state directly."""
    fresh(db)
    with db.begin():
        municipality = (
            db.scalar(select(Municipality).where(Municipality.slug == kommun)) if kommun else None
        )
        message = queue_message(
            db,
            document_key=f"test:{kommun}:{subject}",
            recipient=recipient,
            subject=subject,
            text=BODY,
            html=f"<p>{BODY}</p>",
            attachment=Attachment("lagesbild.pdf", "application/pdf", PDF),
            settings=settings,
            municipality=municipality,
            now=utcnow() - timedelta(minutes=minutes_ago),
        )
        for name, value in state.items():
            setattr(message, name, value)
    return message.id


def failed(db, settings, kommun, recipient, subject, **extra):
    return queue(
        db,
        settings,
        kommun,
        recipient,
        subject,
        status=OutboxStatus.FAILED,
        attempts=1,
        last_error=REFUSED,
        **extra,
    )


def stored(db, message_id) -> OutboxMessage:
    fresh(db)
    return db.get(OutboxMessage, message_id)


def row_text(response, needle: str) -> str:
    """The text of the table row that contains ``needle``."""
    page = response.get_data(as_text=True)
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S):
        text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))).strip()
        if needle in text:
            return text
    raise AssertionError(f"no row with {needle!r}")


def listed_subjects(response) -> set[str]:
    page = response.get_data(as_text=True)
    return set(re.findall(r"Ämne (?:[a-zåäö]+-)?\d+", html.unescape(page)))


def retry_path(message_id: int, kommun: str = "ekbacka") -> str:
    return f"/samordning/{kommun}/utkorg/{message_id}/forsok-igen"


@pytest.fixture
def coordinator(login, demo):
    return login(COORDINATOR)


def test_the_coordinator_sees_the_kommuns_queued_sent_and_failed_mail(coordinator, db, settings):
    queue(db, settings, "ekbacka", "anna@ekbacka.example", "Ämne köad-1", minutes_ago=30)
    queue(
        db,
        settings,
        "ekbacka",
        "bo@ekbacka.example",
        "Ämne väntar-2",
        minutes_ago=20,
        attempts=2,
        last_error="Kunde inte ansluta till e-postservern 127.0.0.1:25: anslutningen nekades",
        next_attempt_at=utcnow() + timedelta(minutes=5),
    )
    queue(
        db,
        settings,
        "ekbacka",
        "cia@ekbacka.example",
        "Ämne skickad-3",
        minutes_ago=10,
        status=OutboxStatus.SENT,
        attempts=1,
        sent_at=utcnow() - timedelta(minutes=9),
    )
    failed(db, settings, "ekbacka", "fel@ekbacka.example", "Ämne misslyckad-4", minutes_ago=5)
    queue(db, settings, "sjovik", "sara@sjovik.example", "Ämne sjövik-5")
    queue(db, settings, None, "ny@ekbacka.example", "Ämne inbjudan-6")

    page = coordinator.get(OUTBOX)

    assert page.status_code == 200
    shown = text_of(page)
    assert "Utkorg för Ekbacka" in shown
    assert listed_subjects(page) == {
        "Ämne köad-1",
        "Ämne väntar-2",
        "Ämne skickad-3",
        "Ämne misslyckad-4",
    }
    # Newest first.
    order = [shown.index(f"Ämne {name}") for name in ("misslyckad-4", "skickad-3", "köad-1")]
    assert order == sorted(order)
    assert "anna@ekbacka.example" in row_text(page, "Ämne köad-1")
    assert " köad " in f" {row_text(page, 'Ämne köad-1')} "
    waiting = row_text(page, "Ämne väntar-2")
    assert "väntar på nytt försök" in waiting and "anslutningen nekades" in waiting
    assert re.search(r"kl\. \d\d\.\d\d", waiting)  # when it is tried next, local time
    sent = row_text(page, "Ämne skickad-3")
    assert "skickad" in sent.split() and "cia@ekbacka.example" in sent
    failure = row_text(page, "Ämne misslyckad-4")
    assert "misslyckad" in failure and REFUSED in failure and "Försök igen" in failure
    assert "Bilaga: lagesbild.pdf" in shown
    body = page.get_data(as_text=True)
    assert "brödtext" not in body and "bilagans bytes" not in body
    assert "sara@sjovik.example" not in body and "ny@ekbacka.example" not in body


def test_the_status_filter_shows_one_kind_and_a_bad_value_is_explained(coordinator, db, settings):
    queue(db, settings, "ekbacka", "anna@ekbacka.example", "Ämne köad-1")
    queue(
        db,
        settings,
        "ekbacka",
        "cia@ekbacka.example",
        "Ämne skickad-2",
        status=OutboxStatus.SENT,
        sent_at=utcnow(),
    )
    failed(db, settings, "ekbacka", "fel@ekbacka.example", "Ämne misslyckad-3")

    def subjects(query: str) -> set[str]:
        response = coordinator.get(f"{OUTBOX}?status={query}")
        assert response.status_code == 200
        return listed_subjects(response)

    assert subjects("misslyckade") == {"Ämne misslyckad-3"}
    assert subjects("skickade") == {"Ämne skickad-2"}
    assert subjects("koade") == {"Ämne köad-1"}
    assert len(subjects("")) == 3
    bad = coordinator.get(f"{OUTBOX}?status=trasig")
    assert bad.status_code == 400
    assert "Något behöver rättas" in text_of(bad)
    assert len(listed_subjects(bad)) == 3  # a bad filter does not filter


def test_fifty_messages_a_page(coordinator, db, settings):
    for number in range(51):
        queue(db, settings, "ekbacka", f"p{number}@ekbacka.example", f"Ämne {number}")

    first = coordinator.get(OUTBOX)
    second = coordinator.get(f"{OUTBOX}?sida=2")

    assert len(listed_subjects(first)) == 50
    assert "Visar 1–50 av 51" in text_of(first) and "Nästa sida" in text_of(first)
    assert listed_subjects(second) == {"Ämne 0"}  # the oldest


@pytest.mark.parametrize("email", [SKOLA, VIEWER, SJOVIK_COORDINATOR])
def test_reporters_viewers_and_other_kommuners_coordinators_are_refused(
    login, demo, db, settings, email
):
    message_id = failed(db, settings, "ekbacka", "fel@ekbacka.example", "Ämne 1")
    web = login(email)

    assert web.get(OUTBOX).status_code == 403
    assert web.post(retry_path(message_id), {}, form_page="/").status_code == 403
    assert web.get("/admin/utkorg").status_code == 403
    assert stored(db, message_id).status == OutboxStatus.FAILED


def test_the_failure_warning_appears_only_when_something_failed(coordinator, db, settings):
    queue(db, settings, "ekbacka", "anna@ekbacka.example", "Ämne 1")
    failed(db, settings, "sjovik", "fel@sjovik.example", "Ämne 2")  # another kommun's failure

    quiet = coordinator.get(BOARD)
    assert quiet.status_code == 200
    assert not BANNER.search(text_of(quiet))
    assert f'href="{OUTBOX}"' in quiet.get_data(as_text=True)  # "Utkorg" is linked anyway

    failed(db, settings, "ekbacka", "fel@ekbacka.example", "Ämne 3")
    failed(db, settings, "ekbacka", "fel2@ekbacka.example", "Ämne 4")
    warned = coordinator.get(BOARD)

    assert BANNER.search(text_of(warned))[1] == "2"
    page = warned.get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)">\d+ utskick kunde inte levereras', page)
    assert link and html.unescape(link[1]) == f"{OUTBOX}?status=misslyckade"
    assert listed_subjects(coordinator.get(html.unescape(link[1]))) == {"Ämne 3", "Ämne 4"}


def test_the_admins_kommun_list_warns_per_kommun(login, demo, db, settings):
    failed(db, settings, "sjovik", "fel@sjovik.example", "Ämne 1")
    admin = login(ADMIN)

    chooser = admin.get("/samordning")

    assert chooser.status_code == 200
    page = chooser.get_data(as_text=True)
    assert 'href="/samordning/sjovik/utkorg?status=misslyckade"' in page
    assert "/samordning/ekbacka/utkorg?status=misslyckade" not in page
    assert 'href="/samordning/ekbacka/utkorg"' in page


def test_try_again_requeues_and_a_real_send_delivers_it(
    coordinator, db, settings, engine, database_url, tmp_path
):
    port = free_port()
    mail_settings = make_settings(
        database_url, tmp_path, ESTAPP_SMTP_HOST="127.0.0.1", ESTAPP_SMTP_PORT=str(port)
    )
    sessions = make_session_factory(engine)
    address = "anna.berg@ekbacka.example"
    message_id = queue(db, settings, "ekbacka", address, "Ämne lägesbild-1")
    handler = RecordingHandler(rcpt_replies={address: "550 5.1.1 No such user here"})
    with smtp_server(handler, port):
        assert send_due(sessions, mail_settings, now=utcnow()).failed == 1
    assert text_of(coordinator.get(BOARD)).count("1 utskick kunde inte levereras") == 1
    assert REFUSED in row_text(coordinator.get(OUTBOX), "Ämne lägesbild-1")

    answer = coordinator.post(retry_path(message_id) + "?status=misslyckade", {}, form_page=OUTBOX)

    assert answer.status_code == 302
    assert answer.headers["Location"] == f"{OUTBOX}?status=misslyckade"
    requeued = stored(db, message_id)
    assert requeued.status == OutboxStatus.QUEUED and requeued.claimed_at is None
    assert requeued.attempts == 1 and requeued.last_error == REFUSED  # the history stays
    assert requeued.next_attempt_at <= utcnow()
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "outbox_message_requeued"))
    assert event.object_type == "outbox_message" and event.object_id == message_id
    assert event.actor.email == COORDINATOR and event.details["recipient"] == address
    assert event.municipality_id == requeued.municipality_id
    shown = text_of(coordinator.get(OUTBOX))
    assert f"Meddelandet till {address} ligger i kön igen" in shown
    assert "väntar på nytt försök" in row_text(coordinator.get(OUTBOX), "Ämne lägesbild-1")
    assert not BANNER.search(text_of(coordinator.get(BOARD)))

    handler.rcpt_replies.clear()
    with smtp_server(handler, port):
        assert send_due(sessions, mail_settings, now=utcnow()).sent == 1

    [received] = handler.received
    assert received.recipients == [address]
    assert received.message["Subject"] == "Ämne lägesbild-1"
    sent = row_text(coordinator.get(OUTBOX), "Ämne lägesbild-1")
    assert "skickad" in sent.split() and REFUSED not in sent and "Försök igen" not in sent
    assert stored(db, message_id).status == OutboxStatus.SENT


def test_a_bad_token_or_another_kommuns_message_changes_nothing(coordinator, db, settings):
    own = failed(db, settings, "ekbacka", "fel@ekbacka.example", "Ämne 1")
    theirs = failed(db, settings, "sjovik", "fel@sjovik.example", "Ämne 2")
    sent = queue(
        db,
        settings,
        "ekbacka",
        "ok@ekbacka.example",
        "Ämne 3",
        status=OutboxStatus.SENT,
        sent_at=utcnow(),
    )

    no_token = coordinator.client.post(retry_path(own))
    wrong_token = coordinator.client.post(retry_path(own), data={"csrf_token": "fel"})
    other_kommun = coordinator.post(retry_path(theirs), {}, form_page=OUTBOX)
    other_slug = coordinator.post(retry_path(theirs, "sjovik"), {}, form_page=OUTBOX)
    unknown = coordinator.post(retry_path(999_999), {}, form_page=OUTBOX)
    too_big = coordinator.post(retry_path(2**40), {}, form_page=OUTBOX)
    not_failed = coordinator.post(retry_path(sent), {}, form_page=OUTBOX, follow_redirects=True)

    assert no_token.status_code == wrong_token.status_code == 400
    assert other_kommun.status_code == unknown.status_code == too_big.status_code == 404
    assert other_slug.status_code == 403
    assert not_failed.status_code == 200
    assert "Meddelandet till ok@ekbacka.example är redan skickat." in text_of(not_failed)
    assert stored(db, own).status == OutboxStatus.FAILED
    assert stored(db, theirs).status == OutboxStatus.FAILED
    assert stored(db, sent).status == OutboxStatus.SENT
    assert (
        db.scalar(select(AuditEvent).where(AuditEvent.action == "outbox_message_requeued")) is None
    )


def test_the_admin_sees_every_message_with_its_kommun_and_can_try_again(login, demo, db, settings):
    queue(db, settings, "ekbacka", "anna@ekbacka.example", "Ämne ekbacka-1")
    queue(db, settings, "sjovik", "sara@sjovik.example", "Ämne sjövik-2")
    invitation = failed(db, settings, None, "ny@ekbacka.example", "Ämne inbjudan-3")
    admin = login(ADMIN)

    overview = admin.get("/admin/")
    assert 'href="/admin/utkorg"' in overview.get_data(as_text=True)
    assert BANNER.search(text_of(overview))[1] == "1"
    page = admin.get("/admin/utkorg")

    assert page.status_code == 200
    assert listed_subjects(page) == {"Ämne ekbacka-1", "Ämne sjövik-2", "Ämne inbjudan-3"}
    assert "Ekbacka" in row_text(page, "Ämne ekbacka-1")
    assert "Sjövik" in row_text(page, "Ämne sjövik-2")
    assert "ingen kommun" in row_text(page, "Ämne inbjudan-3")
    assert listed_subjects(admin.get("/admin/utkorg?status=misslyckade")) == {"Ämne inbjudan-3"}

    answer = admin.post(f"/admin/utkorg/{invitation}/forsok-igen", {}, form_page="/admin/utkorg")

    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/utkorg"
    assert stored(db, invitation).status == OutboxStatus.QUEUED
    # The admin also opens a kommun's own outbox, like its status board.
    assert listed_subjects(admin.get("/samordning/sjovik/utkorg")) == {"Ämne sjövik-2"}


def test_a_coordinator_may_not_open_the_admins_outbox(coordinator):
    assert coordinator.get("/admin/utkorg").status_code == 403
