"""The lägesbild in a real browser: the coordinator compiles, assesses and publishes a week; the
partners then see the published picture, with small counts hidden, and never the newer draft.

The live server's demo has no history, so the test reports a past week of its own directly in the
server's database: a week six weeks back that no other browser test touches.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from estapp.db import make_session_factory
from estapp.weeks import IsoWeek
from tests.e2e.browser import assert_accessible, log_in
from tests.integration.lagesbild_support import kommun, organisation, report

pytestmark = pytest.mark.e2e

STOCKHOLM = ZoneInfo("Europe/Stockholm")
COORDINATOR = "samordnare@ekbacka.example"
REPORTER = "skola@rapport.example"
VIEWER = "lasare@ekbacka.example"
PUBLISHED_TEXT = "E2E-lägesbild: klottret vid Stora torget ökar, två aktörer ser det."
DRAFT_TEXT = "E2E-utkast: en anlagd brand vid Garagen, ännu inte fastställt."


def _week() -> IsoWeek:
    return IsoWeek.containing(datetime.now(STOCKHOLM), STOCKHOLM).shift(-6)


def _report(live_server, week: IsoWeek, partner: str, observations) -> None:
    with make_session_factory(live_server.engine).begin() as session:
        report(session, kommun(session), organisation(session, partner), week, observations)


def _logged_in(open_page, email):
    page = open_page().page
    response = log_in(page, email)
    assert response.ok, f"login as {email} answered {response.status}"
    return page


def _click(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def _category_count(page, category: str):
    table = page.locator("#per-category")
    return table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=category))


def test_the_coordinator_publishes_a_week_and_the_partners_see_only_that(open_page, live_server):
    week = _week()
    url = f"/lagesbild/ekbacka/{week}"
    _report(live_server, week, "Polisen", [("Klotter", "Stora torget", 5)])
    _report(
        live_server,
        week,
        "Ekbacka kommun, barn",
        [("Klotter", "Stora torget", 2), ("Skadegörelse", "Garagen", 1)],
    )

    coordinator = _logged_in(open_page, COORDINATOR)
    coordinator.goto(url)
    main = coordinator.locator("main")
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(
        f"Lägesbild vecka {week.week}, {week.year}"
    )
    expect(main).to_contain_text("Veckan är inte sammanställd än.")
    assert_accessible(coordinator)

    _click(coordinator, "Sammanställ nu")
    expect(coordinator.get_by_role("status").first).to_contain_text("Version 1 är sammanställd.")
    expect(main).to_contain_text("Utkast · version 1")
    expect(_category_count(coordinator, "Skadegörelse")).to_contain_text("1")  # exact for her
    assert_accessible(coordinator)

    coordinator.get_by_role("textbox", name="Bedömning").fill(PUBLISHED_TEXT)
    coordinator.get_by_role("checkbox", name="Stora torget").check()
    _click(coordinator, "Spara bedömningen")
    expect(coordinator.get_by_role("status").first).to_contain_text("Bedömningen är sparad.")
    expect(coordinator.get_by_role("textbox", name="Bedömning")).to_have_value(PUBLISHED_TEXT)

    _click(coordinator, "Fastställ version 1")
    expect(coordinator.get_by_role("status").first).to_contain_text("Version 1 är fastställd")
    assessment = coordinator.get_by_role("region", name="Samordnarens bedömning")
    expect(assessment).to_contain_text(PUBLISHED_TEXT)
    expect(assessment).to_contain_text("Stora torget")
    expect(main).to_contain_text("Fastställd")
    assert_accessible(coordinator)

    # A later report makes a newer draft, with a text of its own: partners must not see it.
    _report(live_server, week, "Räddningstjänsten", [("Anlagd brand", "Garagen", 4)])
    _click(coordinator, "Sammanställ nu")
    expect(coordinator.get_by_role("status").first).to_contain_text("Version 2 är sammanställd.")
    coordinator.get_by_role("textbox", name="Bedömning").fill(DRAFT_TEXT)
    _click(coordinator, "Spara bedömningen")
    expect(main).to_contain_text("Utkast · version 2")
    expect(main).to_contain_text(DRAFT_TEXT)
    assert_accessible(coordinator)

    for email in (REPORTER, VIEWER):
        partner = _logged_in(open_page, email)
        partner.goto(url)
        main = partner.locator("main")
        expect(main).to_contain_text("Fastställd")
        expect(main).to_contain_text("version 1")
        expect(partner.get_by_role("region", name="Samordnarens bedömning")).to_contain_text(
            PUBLISHED_TEXT
        )
        expect(main).not_to_contain_text(DRAFT_TEXT)
        expect(main).not_to_contain_text("Utkast")
        expect(main).not_to_contain_text("version 2")
        expect(_category_count(partner, "Skadegörelse")).to_contain_text("<3")
        # The hidden 1 cannot be worked out from the total either: another cell is hidden too.
        expect(_category_count(partner, "Klotter")).not_to_contain_text("7")
        expect(_category_count(partner, "Anlagd brand")).not_to_contain_text("4")
        expect(partner.get_by_role("button", name="Sammanställ nu")).to_have_count(0)
        assert_accessible(partner)
        # Asking for the draft by number shows the published version all the same.
        partner.goto(f"{url}?version=2")
        expect(partner.locator("main")).not_to_contain_text(DRAFT_TEXT)
