"""Downloading the lägesbild PDF: the same access rules as the page, and always suppressed."""

from __future__ import annotations

import re
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from estapp.db import utcnow
from estapp.lagesbild import services
from estapp.models import CompileReason
from estapp.weeks import IsoWeek
from tests.integration.lagesbild_support import committed, kommun, organisation, report
from tests.web.conftest import text_of

COORDINATOR = "samordnare@ekbacka.example"
REPORTER = "skola@rapport.example"
SJOVIK_COORDINATOR = "samordnare@sjovik.example"


def last_week() -> IsoWeek:
    return IsoWeek.containing(utcnow(), ZoneInfo("Europe/Stockholm")).shift(-1)


def pdf_url(week: IsoWeek | None = None, slug: str = "ekbacka") -> str:
    return f"/lagesbild/{slug}/{week or last_week()}/pdf"


def pdf_text(response) -> str:
    reader = PdfReader(BytesIO(response.data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def compiled(demo):
    """Last week in Ekbacka as draft version 1: 7 klotter, 4 nedskräpning, 1 skadegörelse."""
    db, week = demo, last_week()
    with committed(db):
        ekbacka = kommun(db)
        report(
            db,
            ekbacka,
            organisation(db, "Polisen"),
            week,
            [("Klotter", "Stora torget", 7), ("Nedskräpning", "Stadsparken", 4)],
        )
        report(
            db,
            ekbacka,
            organisation(db, "Ekbacka kommun, barn"),
            week,
            [("Skadegörelse", "Garagen", 1)],
        )
        services.compile_picture(
            db, ekbacka, week, reason=CompileReason.CLI, actor=None, now=utcnow()
        )
    return db


def publish_latest(db) -> None:
    with committed(db):
        picture = services.latest_version(db, kommun(db), last_week())
        services.publish_picture(db, picture, actor=None, now=utcnow())


def test_the_coordinator_downloads_a_suppressed_pdf_named_after_the_week(login, compiled):
    web = login(COORDINATOR)
    page = web.get(f"/lagesbild/ekbacka/{last_week()}").get_data(as_text=True)
    assert f'href="{pdf_url()}?version=1"' in page and "Ladda ner PDF" in page
    response = web.get(pdf_url())
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="lagesbild-ekbacka-{last_week()}-v1.pdf"'
    )
    text = pdf_text(response)
    assert "Ekbacka" in text and f"vecka {last_week().week}" in text and "Utkast" in text
    assert "Skadegörelse <3" in text  # suppressed even for the coordinator: the PDF is sent on
    assert "Räddningstjänsten" not in text  # a missing partner is never named


def test_the_coordinator_downloads_an_older_version(login, compiled):
    with committed(compiled):
        report(compiled, kommun(compiled), organisation(compiled, "Räddningstjänsten"),
               last_week(), [("Anlagd brand", "Garagen", 3)])  # fmt: skip
        services.compile_picture(
            compiled, kommun(compiled), last_week(), reason=CompileReason.CLI, actor=None,
            now=utcnow(),
        )  # fmt: skip
    web = login(COORDINATOR)
    newest, older = web.get(pdf_url()), web.get(f"{pdf_url()}?version=1")
    assert newest.headers["Content-Disposition"].endswith(f'-{last_week()}-v2.pdf"')
    assert older.headers["Content-Disposition"].endswith(f'-{last_week()}-v1.pdf"')
    assert "Händelser 15" in pdf_text(newest) and "Händelser 12" in pdf_text(older)
    assert web.get(f"{pdf_url()}?version=9").status_code == 404


def test_a_reporter_gets_only_a_published_version(login, compiled):
    web = login(REPORTER)
    response = web.get(pdf_url())
    assert response.status_code == 404
    assert "Det finns ingen fastställd lägesbild för" in text_of(response)
    publish_latest(compiled)
    response = web.get(pdf_url())
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "Fastställd" in pdf_text(response)


def test_another_kommun_anonymous_and_malformed_weeks_are_refused(client, login, compiled):
    assert client.get(pdf_url()).status_code == 302  # to the login page, no PDF
    web = login(SJOVIK_COORDINATOR)
    assert web.get(pdf_url()).status_code == 403
    assert web.get("/lagesbild/ekbacka/2026-47/pdf").status_code == 403  # kommun checked first
    web.client.post("/logga-ut", data={"csrf_token": web.token("/")})
    web = login(COORDINATOR)
    assert web.get("/lagesbild/ekbacka/2026-47/pdf").status_code == 404
    assert web.get(pdf_url(last_week().shift(3))).status_code == 404  # a future week
    assert web.get("/lagesbild/finns-inte/2026-W47/pdf").status_code == 404
    response = web.get(pdf_url(last_week().shift(-2)))
    assert response.status_code == 404
    assert "är inte sammanställd än, så det finns ingen PDF." in text_of(response)
