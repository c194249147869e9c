"""An EST meeting in a real browser: the coordinator opens the agenda, follows up an action due
today on its card and one due later on its own page (from the table of open actions), decides
a new one tied to a commitment of the medborgarlöfte and locks the minutes; the owner then finds
the new action under "Mina åtgärder"; the promise's dashboard and the commitment's timeline show
it, and the public follow-up page counts it for anyone, without a login."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from estapp.db import make_session_factory, utcnow
from estapp.meetings import actions
from estapp.meetings.rules import ActionInput
from estapp.models import Commitment, Promise, User
from estapp.weeks import IsoWeek
from tests.e2e.browser import DESKTOP, PHONE, assert_accessible, horizontal_overflow, log_in
from tests.integration.lagesbild_support import kommun, organisation

pytestmark = pytest.mark.e2e

STOCKHOLM = ZoneInfo("Europe/Stockholm")
COORDINATOR = "samordnare@ekbacka.example"
OWNER = "skola@rapport.example"
NEW_ACTION = "E2E: trygghetsvandring med föräldrar vid Norrmalmsskolan"


def _click(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def _arrange_open_actions(live_server) -> tuple[str, str]:
    """Two open actions decided between meetings: one due today, one in a week."""
    today = datetime.now(STOCKHOLM).date()
    texts = ("E2E: laga belysningen i Garagen", "E2E: städa upp vid Återvinningsstationen")
    with make_session_factory(live_server.engine).begin() as session:
        ekbacka = kommun(session)
        coordinator = session.scalar(select(User).where(User.email == COORDINATOR))
        for text, days, owner in zip(texts, (0, 7), ("Ekbackahem", "Polisen"), strict=True):
            actions.create_action(
                session,
                coordinator,
                ekbacka,
                ActionInput(
                    text=text,
                    owner_organisation_id=organisation(session, owner).id,
                    due_on=today + timedelta(days=days),
                ),
                today=today,
                now=utcnow(),
            )
    return texts


def _first_commitment(live_server) -> str:
    with make_session_factory(live_server.engine)() as session:
        return session.scalar(
            select(Commitment.text)
            .join(Promise)
            .where(Promise.municipality.has(slug="ekbacka"))
            .order_by(Commitment.position)
        )


def _follow_up(page, text: str, status: str, note: str) -> None:
    card = page.locator("article.action-card").filter(has_text=text)
    card.get_by_label("Status").select_option(label=status)
    card.get_by_label("Anteckning").fill(note)
    with page.expect_navigation():
        card.get_by_role("button", name="Spara uppföljningen").click()
    expect(page.get_by_role("status").first).to_contain_text("Uppföljningen är sparad.")


def _follow_up_on_its_page(page, text: str, status: str, note: str) -> str:
    """Open the action from the table of other open actions, make a mistake, then follow it
    up; returns the action page's address."""
    row = page.locator("table.action-table tbody tr").filter(has_text=text)
    expect(row).to_contain_text("Klart senast")
    with page.expect_navigation():
        row.get_by_role("link", name="Följ upp").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text)
    action_url = page.url
    assert_accessible(page)
    _click(page, "Spara uppföljningen")  # nothing changed: the page says so at the field
    expect(page.get_by_role("heading", level=1)).to_have_text(text)
    expect(page.locator(".error-message")).to_contain_text("Ändra status eller skriv")
    assert_accessible(page)
    card = page.locator("article.action-card")
    card.get_by_label("Status").select_option(label=status)
    card.get_by_label("Anteckning").fill(note)
    _click(page, "Spara uppföljningen")
    expect(page.get_by_role("heading", level=1)).to_have_text("EST-möte Ekbacka")
    expect(page.get_by_role("status").first).to_contain_text("Uppföljningen är sparad.")
    return action_url


def test_the_coordinator_runs_a_meeting_and_the_owner_sees_the_new_action(open_page, live_server):
    live_server.reset_login_throttle()
    due_today, due_later = _arrange_open_actions(live_server)
    commitment = _first_commitment(live_server)
    week = IsoWeek.containing(datetime.now(STOCKHOLM), STOCKHOLM).shift(-1)

    page = open_page().page
    assert log_in(page, COORDINATOR).ok
    page.get_by_role("link", name="EST-möte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("EST-möten i Ekbacka")
    assert_accessible(page)
    page.get_by_label("Vilken veckas lägesbild går mötet igenom?").select_option(str(week))
    _click(page, "Starta mötet")

    # The agenda: the action due today as a card to follow up, the other in the table.
    expect(page.get_by_role("heading", level=1)).to_have_text("EST-möte Ekbacka")
    due = page.locator("article.action-card").filter(has_text=due_today)
    expect(due).to_contain_text("Ska vara klar i dag")
    expect(page.locator("article.action-card").filter(has_text=due_later)).to_have_count(0)
    expect(page.locator("#ataganden").locator("xpath=..")).to_contain_text(commitment[:40])
    assert_accessible(page)

    _follow_up(page, due_today, "Genomförd", "Nya lampor sitter uppe.")
    action_url = _follow_up_on_its_page(page, due_later, "Pågående", "Polisen har börjat.")
    uppfoljt = page.locator("#uppfoljt + ul")
    expect(uppfoljt).to_contain_text("Genomförd – Nya lampor sitter uppe.")
    expect(uppfoljt).to_contain_text("Pågående – Polisen har börjat.")

    page.get_by_role("checkbox", name="Polisen, lokalpolisområde Ekbacka–Sjövik").check()
    page.get_by_role("checkbox", name="Ekbacka kommun, barn och utbildning").check()
    _click(page, "Spara närvaron")

    # A new action tied to a commitment; a date in the past is explained first.
    form = page.locator("form.new-action")
    form.get_by_label("Åtgärd").fill(NEW_ACTION)
    form.get_by_label("Ansvarig aktör").select_option(label="Ekbacka kommun, barn och utbildning")
    form.get_by_label("Klart senast").fill((utcnow() - timedelta(days=2)).date().isoformat())
    form.get_by_label("Plats eller område").select_option(label="Norrmalmsskolan")
    form.get_by_label("Åtagande i medborgarlöftet").select_option(index=1)
    _click(page, "Besluta åtgärden")
    expect(page.locator("#due_on-error")).to_contain_text("Datumet har redan varit")
    assert_accessible(page)
    due_on = datetime.now(STOCKHOLM).date() + timedelta(days=10)
    page.locator("form.new-action").get_by_label("Klart senast").fill(due_on.isoformat())
    _click(page, "Besluta åtgärden")
    expect(page.get_by_role("status").first).to_contain_text("Åtgärden är beslutad.")
    expect(page.locator("#nya-atgarder").locator("xpath=..")).to_contain_text(NEW_ACTION)

    # The minutes' draft tells what happened; lock them after a confirmation.
    minutes = page.get_by_label("Protokoll", exact=True)
    expect(minutes).to_contain_text("Närvarande: Ekbacka kommun, barn och utbildning, Polisen")
    expect(minutes).to_contain_text(NEW_ACTION)
    page.get_by_role("textbox", name="Beslut").fill("Föräldrarna bjuds in.")
    _click(page, "Lås protokollet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lås protokollet?")
    assert_accessible(page)
    _click(page, "Lås protokollet och skicka det")
    expect(page.get_by_role("status").first).to_contain_text("Protokollet är låst.")
    expect(page.get_by_role("link", name="Ladda ner protokollet (PDF)")).to_be_visible()
    expect(page.get_by_role("button", name="Besluta åtgärden")).to_have_count(0)
    assert_accessible(page)
    meeting_url = page.url

    # The meeting page on a phone: readable, no sideways scrolling; each open action of the
    # table is a block of its own, as wide as the screen, its values one under the other.
    phone = open_page(PHONE).page
    assert log_in(phone, COORDINATOR).ok
    phone.goto(meeting_url)
    expect(phone.get_by_role("heading", level=1)).to_have_text("EST-möte Ekbacka")
    assert horizontal_overflow(phone) is None
    row = phone.locator("table.action-table tbody tr").filter(has_text=due_later)
    text_box = row.get_by_role("rowheader").bounding_box()
    owner_box = row.get_by_role("cell", name="Polisen").bounding_box()
    assert text_box and owner_box, "the row's text and owner are shown"
    assert text_box["width"] > PHONE["width"] * 0.75, text_box
    assert owner_box["y"] >= text_box["y"] + text_box["height"], (text_box, owner_box)
    assert_accessible(phone)
    # The action's own page, read only now that the protokoll is locked.
    phone.goto(action_url)
    expect(phone.get_by_role("heading", level=1)).to_have_text(due_later)
    expect(phone.get_by_role("button", name="Spara uppföljningen")).to_have_count(0)
    assert horizontal_overflow(phone) is None
    assert_accessible(phone)

    # The owner finds the action under "Mina åtgärder".
    owner = open_page().page
    assert log_in(owner, OWNER).ok
    owner.get_by_role("link", name="Mina åtgärder").click()
    card = owner.locator("article.action-card").filter(has_text=NEW_ACTION)
    expect(card).to_contain_text("Ekbacka kommun, barn och utbildning")
    expect(card).to_contain_text(commitment[:40])
    expect(card).to_contain_text("Klart senast")
    assert_accessible(owner)

    # The dashboard counts it; the commitment's timeline tells what was decided.
    page.goto("/medborgarloften/ekbacka")
    page.locator(".card-title a").first.click()
    page.get_by_role("link", name="Översikt: alla åtagandens status").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Översikt")
    first_row = page.locator("tbody tr").first
    expect(first_row).to_contain_text("i fas")
    expect(first_row).to_contain_text("0 / 1")
    assert_accessible(page)
    first_row.get_by_role("link", name="Tidslinje").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tidslinje för åtagande 1")
    expect(page.locator(".timeline").first).to_contain_text(NEW_ACTION)
    expect(page.locator(".timeline").first).to_contain_text("Beslutad på EST-mötet vecka")
    assert_accessible(page)

    # Anyone, without logging in, on a desktop and on a phone: the progress, counted, no text.
    for viewport in (DESKTOP, PHONE):
        public = open_page(viewport).page
        response = public.goto("/uppfoljning/ekbacka")
        assert response.status == 200
        block = public.locator("li.commitment").filter(has_text=commitment[:40])
        expect(block).to_contain_text("Arbetet går enligt plan.")
        expect(block).to_contain_text("Beslutade åtgärder: färre än 3.")
        expect(block).to_contain_text("Ingen av dem är genomförd ännu.")
        expect(public.locator("main")).not_to_contain_text(NEW_ACTION)
        expect(public.get_by_role("button", name="Logga ut")).to_have_count(0)
        assert horizontal_overflow(public) is None
        assert_accessible(public)
