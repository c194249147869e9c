"""Distribution in a real browser: the coordinator puts an address on the distribution list,
publishes a week, downloads its PDF, and sees in the outbox that the mail went out — which a
real SMTP server on loopback received, with the same PDF attached.

The week is seven weeks back, a week no other browser test touches.
"""

from __future__ import annotations

import re
from datetime import datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from estapp.db import make_session_factory, utcnow
from estapp.distribution.outbox import send_due
from estapp.weeks import IsoWeek
from tests.e2e.browser import PHONE, assert_accessible, log_in
from tests.integration.lagesbild_support import kommun, organisation, report
from tests.integration.smtp_server import RecordingHandler, smtp_server

pytestmark = pytest.mark.e2e

STOCKHOLM = ZoneInfo("Europe/Stockholm")
COORDINATOR = "samordnare@ekbacka.example"
ADDRESS = "trygghetsvardar@ekbackahem.example"
ASSESSMENT = "E2E-utskick: skadegörelsen i Garagen har minskat sedan belysningen byttes."


def _week() -> IsoWeek:
    return IsoWeek.containing(datetime.now(STOCKHOLM), STOCKHOLM).shift(-7)


def _click(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def _text(pdf: bytes) -> str:
    reader = PdfReader(BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_the_coordinator_mails_the_picture_and_sees_it_sent(open_page, live_server):
    week = _week()
    with make_session_factory(live_server.engine).begin() as session:
        report(
            session,
            kommun(session),
            organisation(session, "Polisen"),
            week,
            [("Skadegörelse", "Garagen", 6), ("Klotter", "Stora torget", 3)],
        )

    page = open_page().page
    assert log_in(page, COORDINATOR).ok

    # The distribution list: a bad address is explained at the field and kept, then fixed.
    page.goto("/samordning/ekbacka/sandlista")
    page.get_by_role("textbox", name="Namn eller funktion").fill("Trygghetsvärdarna")
    page.get_by_role("textbox", name="E-postadress").fill("trygghetsvardar(at)ekbackahem")
    _click(page, "Lägg till adressen")
    expect(page.locator("#external-email-error")).to_contain_text("giltig e-postadress")
    expect(page.get_by_role("textbox", name="Namn eller funktion")).to_have_value(
        "Trygghetsvärdarna"
    )
    assert_accessible(page)
    page.get_by_role("textbox", name="E-postadress").fill(ADDRESS)
    _click(page, "Lägg till adressen")
    expect(page.get_by_role("status").first).to_contain_text(f"{ADDRESS} står nu på sändlistan")
    expect(page.get_by_role("region", name="Mottagare")).to_contain_text("Trygghetsvärdarna")
    assert_accessible(page)

    # Compile, assess, publish: the mail is queued with the publish.
    url = f"/lagesbild/ekbacka/{week}"
    page.goto(url)
    _click(page, "Sammanställ nu")
    page.get_by_role("textbox", name="Bedömning").fill(ASSESSMENT)
    _click(page, "Spara bedömningen")
    expect(page.locator("#delivery-state")).to_contain_text("skickas till sändlistan när du")
    _click(page, "Fastställ version 1")
    expect(page.get_by_role("status").first).to_contain_text(
        "Den skickas med e-post till 1 mottagare på sändlistan."
    )

    # The download button gives the PDF the partners get.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ladda ner PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"lagesbild-ekbacka-{week}-v1.pdf"
    downloaded = _text(Path(download.path()).read_bytes())
    assert "Ekbacka" in downloaded and week.label() in downloaded and ASSESSMENT in downloaded

    # The scheduler's outbox job sends it to the SMTP server.
    handler = RecordingHandler()
    with smtp_server(handler, live_server.settings.smtp_port):
        summary = send_due(
            make_session_factory(live_server.engine), live_server.settings, now=utcnow()
        )
    assert summary.sent >= 1
    mails = [r.message for r in handler.received if r.recipients == [ADDRESS]]
    assert len(mails) == 1
    (attachment,) = mails[0].iter_attachments()
    assert ASSESSMENT in _text(attachment.get_content())

    page.goto(url)
    expect(page.locator("#delivery-state")).to_contain_text("Skickad till 1, väntar: 0")

    # The outbox shows the mail as sent, also on a phone.
    phone = open_page(PHONE).page
    assert log_in(phone, COORDINATOR).ok
    phone.goto("/samordning/ekbacka/utkorg")
    row = phone.get_by_role("row").filter(has_text=ADDRESS)
    expect(row).to_contain_text("skickad")
    expect(row).to_contain_text(f"Lägesbild Ekbacka, {week.label()} (version 1)")
    assert_accessible(phone)
