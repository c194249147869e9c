"""Downloading the yearly follow-up of a medborgarlöfte: for the kommun's coordinators only,
always in Swedish, and a bad year is a Swedish message, never an error page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO

import pytest
from flask import render_template
from flask_login import login_user
from pypdf import PdfReader
from sqlalchemy import select

from estapp.models import Action, ActionStatus, ActionUpdate, Organisation, PromiseStatus, User
from estapp.promises import services
from estapp.promises.services import PromiseInput
from tests.web.conftest import text_of
from tests.web.reporting_support import (
    ADMIN,
    COORDINATOR,
    SJOVIK_COORDINATOR,
    SKOLA,
    VIEWER,
    fresh,
    local_today,
)
from tests.web.test_promises import promise_of, url_of

URL = "/medborgarloften/ekbacka/arsuppfoljning"
DONE_TEXT = "Kvällsvandring vid Resecentrum med föräldrar"
OUTCOME = "Lugnare fredagskvällar enligt bussförarna"


def pdf_text(response) -> str:
    reader = PdfReader(BytesIO(response.data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def with_action(demo, db):
    """The demo promise's first commitment has one action, done today by the police."""
    promise = promise_of(db, "ekbacka")
    police = db.scalar(select(Organisation).where(Organisation.name.startswith("Polisen")))
    now = datetime.now(UTC)
    db.add(
        Action(
            municipality_id=promise.municipality_id,
            text=DONE_TEXT,
            owner_organisation=police,
            owner_user=db.scalar(select(User).where(User.email == "polis@rapport.example")),
            due_on=local_today(),
            commitment_id=promise.commitments[0].id,
            status=ActionStatus.DONE,
            outcome=OUTCOME,
            created_at=now,
            completed_at=now,
            updates=[
                ActionUpdate(at=now, new_status=ActionStatus.PLANNED),
                ActionUpdate(at=now, new_status=ActionStatus.DONE, outcome=OUTCOME),
            ],
        )
    )
    db.commit()
    return promise


def test_the_coordinator_downloads_the_years_pdf(login, with_action):
    year = local_today().year
    response = login(COORDINATOR).get(f"{URL}?ar={year}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="medborgarloefte-ekbacka-{year}.pdf"'
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    text = pdf_text(response)
    assert f"Uppföljning av medborgarlöftet – Ekbacka {year}" in text
    assert with_action.title in text
    assert DONE_TEXT in text and OUTCOME in text and "Polisen" in text
    assert "Maria Lind" not in text


def test_an_admin_downloads_it_too(login, with_action):
    response = login(ADMIN).get(f"{URL}?ar={local_today().year}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"


def test_the_pdf_is_swedish_whatever_language_the_coordinator_reads(login, with_action, db):
    fresh(db)
    db.scalar(select(User).where(User.email == COORDINATOR)).locale = "en"
    db.commit()
    response = login(COORDINATOR).get(f"{URL}?ar={local_today().year}")
    text = pdf_text(response)
    assert "Uppföljning av medborgarlöftet" in text and "Ansvarig" in text
    assert "I fas" in text and "Polisen" in text
    assert "on track" not in text.lower() and "police" not in text.lower()


@pytest.mark.parametrize("email", [SKOLA, VIEWER, SJOVIK_COORDINATOR])
def test_others_are_refused(login, demo, email):
    response = login(email).get(f"{URL}?ar={local_today().year}")
    assert response.status_code == 403
    assert response.mimetype != "application/pdf"


def test_anonymous_visitors_are_sent_to_log_in(client, demo):
    response = client.get(f"{URL}?ar={local_today().year}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logga-in")


def test_an_unknown_kommun_is_not_found(login, demo):
    response = login(ADMIN).get(
        f"/medborgarloften/finns-inte/arsuppfoljning?ar={local_today().year}"
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Ange året som ett årtal mellan 2000 och 2100, till exempel 2026."),
        ("?ar=", "Ange året som ett årtal mellan 2000 och 2100, till exempel 2026."),
        ("?ar=tjugo", "Ange året som ett årtal mellan 2000 och 2100, till exempel 2026."),
        ("?ar=1999", "Ange året som ett årtal mellan 2000 och 2100, till exempel 2026."),
        ("?ar=２０２６", "Ange året som ett årtal mellan 2000 och 2100, till exempel 2026."),
        ("?ar=2003", "Ekbacka har inget medborgarlöfte som gällde 2003."),
        ("?ar=2100", "Året 2100 har inte börjat än."),
    ],
)
def test_a_bad_year_is_a_swedish_message_on_the_promises_page(login, demo, query, message):
    web = login(COORDINATOR)
    response = web.get(f"{URL}{query}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/medborgarloften/ekbacka"
    page = web.get(response.headers["Location"])
    assert page.status_code == 200
    assert message in text_of(page)


def test_a_refusal_goes_back_to_the_promise_the_form_was_on(login, demo, db):
    promise = promise_of(db, "ekbacka")
    web = login(COORDINATOR)
    response = web.get(f"{URL}?ar=2003&lofte={promise.id}")
    assert response.headers["Location"] == url_of(promise)
    assert "som gällde 2003" in text_of(web.get(url_of(promise)))
    theirs = promise_of(db, "sjovik")
    response = web.get(f"{URL}?ar=2003&lofte={theirs.id}")
    assert response.headers["Location"] == "/medborgarloften/ekbacka"


def test_a_draft_promise_is_not_followed_up(login, demo, db):
    promise = promise_of(db, "ekbacka")
    promise.status = PromiseStatus.DRAFT
    db.commit()
    web = login(COORDINATOR)
    year = local_today().year
    response = web.get(f"{URL}?ar={year}")
    assert response.status_code == 302
    assert f"Ekbacka har inget medborgarlöfte som gällde {year}." in text_of(
        web.get(response.headers["Location"])
    )


# --- the form --------------------------------------------------------------------------------


def render_form(app, db, email: str) -> str:
    promise = promise_of(db, "ekbacka")
    with app.test_request_context("/"):
        login_user(db.scalar(select(User).where(User.email == email)))
        return render_template(
            "promises/_yearly_report.html", municipality=promise.municipality, promise=promise
        )


def test_the_form_offers_the_years_the_promises_cover_with_this_year_chosen(app, demo, db):
    this_year = local_today().year
    ekbacka = promise_of(db, "ekbacka").municipality
    now = datetime.now(UTC)
    for start, end, status in (
        (this_year - 2, this_year - 1, PromiseStatus.ENDED),
        (2010, 2010, PromiseStatus.DRAFT),
    ):
        services.create_promise(
            db,
            None,
            ekbacka,
            PromiseInput(title=f"Löfte {start}", period_start=start, period_end=end, status=status),
            now=now,
        )
    db.commit()
    html = render_form(app, db, COORDINATOR)
    assert '<label for="yearly-report-year">År</label>' in html
    assert re.findall(r'<option value="(\d+)"', html) == [
        str(year) for year in range(this_year - 2, this_year + 1)
    ]  # the running promise's next year has not begun, the draft promised nothing
    assert f'<option value="{this_year}" selected>' in html
    assert 'name="ar"' in html and f'name="lofte" value="{promise_of(db, "ekbacka").id}"' in html
    assert "Ladda ner årsuppföljning (PDF)" in html
    assert 'action="/medborgarloften/ekbacka/arsuppfoljning"' in html


@pytest.mark.parametrize("email", [SKOLA, VIEWER, SJOVIK_COORDINATOR])
def test_the_form_is_not_shown_to_those_who_may_not_download(app, demo, db, email):
    assert "årsuppföljning" not in render_form(app, db, email).lower()


def test_the_form_is_not_shown_when_no_promise_is_in_force(app, demo, db):
    promise = promise_of(db, "ekbacka")
    promise.status = PromiseStatus.DRAFT
    db.commit()
    assert render_form(app, db, COORDINATOR).strip() == ""
