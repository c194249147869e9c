"""The lägesbild goes to the distribution list: queued with the publish (or the scheduled
compile), delivered by a real SMTP server on loopback, and readable as the partner gets it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from estapp.db import utcnow
from estapp.distribution import lagesbild_mail
from estapp.distribution.outbox import send_due
from estapp.lagesbild import jobs, services
from estapp.models import (
    CompileReason,
    DistributionMode,
    DistributionRecipient,
    DistributionTrigger,
    OutboxMessage,
    OutboxStatus,
    User,
)
from estapp.weeks import IsoWeek
from tests.conftest import make_settings
from tests.integration.lagesbild_support import committed, kommun, organisation, report
from tests.integration.smtp_server import smtp_server
from tests.web.conftest import text_of

TZ = ZoneInfo("Europe/Stockholm")
COORDINATOR = "samordnare@ekbacka.example"
EXTERNAL = "trygghetsvardar@bostad.example"


@pytest.fixture
def settings(database_url, tmp_path, clean_db, port):
    """The app's settings, sending to the loopback SMTP server."""
    return make_settings(
        database_url,
        tmp_path,
        ESTAPP_SMTP_HOST="127.0.0.1",
        ESTAPP_SMTP_PORT=str(port),
        ESTAPP_MAIL_FROM="EST Ekbacka <est@ekbacka.example>",
        ESTAPP_BASE_URL="https://est.ekbacka.example",
    )


def last_week() -> IsoWeek:
    return IsoWeek.containing(utcnow(), TZ).shift(-1)


@pytest.fixture
def listed(demo):
    """Ekbacka's list: the school's reporter (lägesbild) and an external address (both)."""
    with committed(demo):
        ekbacka = kommun(demo)
        school = demo.scalar(select(User).where(User.email == "skola@rapport.example"))
        viewer = demo.scalar(select(User).where(User.email == "lasare@ekbacka.example"))
        demo.add_all(
            [
                DistributionRecipient(
                    municipality_id=ekbacka.id, user=school, lagesbild=True, protokoll=False
                ),
                DistributionRecipient(
                    municipality_id=ekbacka.id, user=viewer, lagesbild=False, protokoll=True
                ),
                DistributionRecipient(
                    municipality_id=ekbacka.id, email=EXTERNAL, name="Trygghetsvärdar"
                ),
            ]
        )
    return demo


@pytest.fixture
def draft(listed):
    """Last week compiled as draft version 1: 7 klotter at Stora torget, 4 nedskräpning."""
    db, week = listed, last_week()
    with committed(db):
        ekbacka = kommun(db)
        report(
            db,
            ekbacka,
            organisation(db, "Polisen"),
            week,
            [("Klotter", "Stora torget", 7), ("Nedskräpning", "Stadsparken", 4)],
        )
        services.compile_picture(
            db, ekbacka, week, reason=CompileReason.CLI, actor=None, now=utcnow()
        )
    return db


def publish(login, assessment: str = "Klottret vid Stora torget har ökat.") -> str:
    """Log in as the coordinator, write an assessment and publish version 1; the page after."""
    web = login(COORDINATOR)
    page = f"/lagesbild/ekbacka/{last_week()}"
    web.post(
        f"{page}/version/1/bedomning",
        {"assessment": assessment, "notable_events": "", "focus_places": []},
        form_page=f"{page}?version=1",
    )
    response = web.post(f"{page}/version/1/faststall", {}, form_page=f"{page}?version=1")
    assert response.status_code == 302
    return text_of(web.get(response.headers["Location"]))


def outbox_rows(db) -> list[OutboxMessage]:
    db.rollback()
    db.expire_all()
    return list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.recipient)))


def pdf_text(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_publishing_mails_the_pdf_to_the_list(draft, login, sessions, settings, handler, port):
    page = publish(login)
    assert "skickas med e-post till 2 mottagare på sändlistan" in page

    rows = outbox_rows(draft)
    assert [r.recipient for r in rows] == ["skola@rapport.example", EXTERNAL]
    assert all(r.status is OutboxStatus.QUEUED for r in rows)

    with smtp_server(handler, port):
        summary = send_due(sessions, settings, now=utcnow())
    assert summary.sent == 2
    assert sorted(r.recipients[0] for r in handler.received) == sorted(
        ["skola@rapport.example", EXTERNAL]
    )
    message = handler.received[0].message
    week = last_week()
    assert message["Subject"] == f"Lägesbild Ekbacka, {week.label()} (version 1)"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"Lägesbilden för EST i Ekbacka, {week.label()}, fastställdes den" in text
    link = f"https://est.ekbacka.example/lagesbild/ekbacka/{week}"
    assert link in text and f'href="{link}"' in html
    assert "Får inte spridas utanför EST-gruppen" in text
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == [f"lagesbild-ekbacka-{week}-v1.pdf"]
    pdf = pdf_text(attachments[0].get_content())
    assert "Ekbacka" in pdf and week.label() in pdf
    assert "Klottret vid Stora torget har ökat." in pdf
    assert "Fastställd" in pdf
    # The viewer receives only the protokoll, so not this mail.
    assert "lasare@ekbacka.example" not in [r.recipients[0] for r in handler.received]


def test_a_version_goes_to_an_address_once(draft, login, app):
    publish(login)
    with app.app_context():
        picture = services.latest_version(draft, kommun(draft), last_week())
        assert lagesbild_mail.queue_picture(draft, picture, now=utcnow()) == 0
    assert len(outbox_rows(draft)) == 2


def test_link_mode_sends_a_link_and_no_attachment(draft, login, sessions, settings, handler, port):
    with committed(draft):
        kommun(draft).distribution_mode = DistributionMode.LINK
    publish(login)
    with smtp_server(handler, port):
        assert send_due(sessions, settings, now=utcnow()).sent == 2
    message = handler.received[0].message
    assert list(message.iter_attachments()) == []
    text = message.get_body(("plain",)).get_content()
    assert "inloggning krävs" in text
    assert f"https://est.ekbacka.example/lagesbild/ekbacka/{last_week()}" in text


def test_a_deactivated_user_gets_nothing(draft, login):
    with committed(draft):
        draft.scalar(select(User).where(User.email == "skola@rapport.example")).active = False
    publish(login)
    assert [r.recipient for r in outbox_rows(draft)] == [EXTERNAL]


def test_an_empty_list_publishes_without_mail(demo, login):
    with committed(demo):
        ekbacka = kommun(demo)
        report(demo, ekbacka, organisation(demo, "Polisen"), last_week(), [])
        services.compile_picture(
            demo, ekbacka, last_week(), reason=CompileReason.CLI, actor=None, now=utcnow()
        )
    page = publish(login)
    assert "är fastställd" in page and "skickas med e-post" not in page
    assert outbox_rows(demo) == []


def test_a_refused_publish_queues_nothing(draft, login):
    with committed(draft):  # a newer version makes version 1 stale
        report(draft, kommun(draft), organisation(draft, "Räddningstjänsten"), last_week(), [])
        services.compile_picture(
            draft, kommun(draft), last_week(), reason=CompileReason.CLI, actor=None, now=utcnow()
        )
    web = login(COORDINATOR)
    page = f"/lagesbild/ekbacka/{last_week()}"
    web.post(f"{page}/version/1/faststall", {}, form_page=f"{page}?version=1")
    assert outbox_rows(draft) == []


MONDAY_0700 = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # 07:00 in Stockholm, week 48
SIX = datetime(2026, 1, 1, 6, 0).time()


def compile_week_47(listed) -> None:
    with committed(listed):
        report(
            listed,
            kommun(listed),
            organisation(listed, "Polisen"),
            IsoWeek(2026, 47),
            [("Klotter", "Stora torget", 5)],
        )


def test_on_compile_the_scheduled_compile_mails_the_draft(listed, app, sessions):
    compile_week_47(listed)
    with committed(listed):
        kommun(listed).distribution_trigger = DistributionTrigger.COMPILE
    with app.app_context():
        picture = jobs.compile_job(sessions, kommun(listed).id, tz=TZ, at=SIX, now=MONDAY_0700)
    assert picture is not None
    rows = outbox_rows(listed)
    assert [r.recipient for r in rows] == ["skola@rapport.example", EXTERNAL]
    assert rows[0].document_key == "lagesbild:ekbacka:2026-W47:v1"
    assert "sammanställdes den" in rows[0].body_text
    assert "Utkast" in pdf_text(rows[0].attachment_data)


def test_on_publish_the_scheduled_compile_mails_nothing(listed, sessions):
    compile_week_47(listed)
    picture = jobs.compile_job(sessions, kommun(listed).id, tz=TZ, at=SIX, now=MONDAY_0700)
    assert picture is not None
    assert listed.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_page_shows_what_went_out_and_sends_to_late_additions(
    draft, login, web, sessions, settings, handler, port
):
    publish(login)  # logs the web client in as the coordinator
    page = f"/lagesbild/ekbacka/{last_week()}"
    assert "Skickad till 0, väntar: 2, misslyckade: 0." in text_of(web.get(page))
    with smtp_server(handler, port):
        send_due(sessions, settings, now=utcnow())
    shown = text_of(web.get(page))
    assert "Skickad till 2, väntar: 0, misslyckade: 0." in shown
    assert "mottagare som inte har fått den" not in shown

    with committed(draft):
        draft.add(
            DistributionRecipient(municipality_id=kommun(draft).id, email="ny@exempel.example")
        )
    assert "Skicka till 1 mottagare som inte har fått den" in text_of(web.get(page))
    response = web.post(f"{page}/version/1/skicka", {}, form_page=page)
    assert response.status_code == 302
    assert "Version 1 skickas till 1 mottagare." in text_of(web.get(response.headers["Location"]))
    assert len(outbox_rows(draft)) == 3


def test_a_draft_is_not_sent_by_hand_where_the_kommun_sends_on_publish(draft, login):
    web = login(COORDINATOR)
    page = f"/lagesbild/ekbacka/{last_week()}"
    assert "skickas till sändlistan när du fastställer den" in text_of(web.get(f"{page}?version=1"))
    response = web.post(f"{page}/version/1/skicka", {}, form_page=f"{page}?version=1")
    assert "Fastställ versionen innan" in text_of(web.get(response.headers["Location"]))
    assert outbox_rows(draft) == []


def test_a_partner_cannot_send(draft, login):
    web = login("skola@rapport.example")
    response = web.client.post(f"/lagesbild/ekbacka/{last_week()}/version/1/skicka")
    assert response.status_code in (400, 403)
    assert outbox_rows(draft) == []
