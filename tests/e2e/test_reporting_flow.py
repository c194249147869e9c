"""The weekly cycle in a real browser: a reporter's week on a phone, the board, a failed import.

The live server's database is shared by the browser tests, so this test checks what it changed
itself (its own descriptions, the rows of the partners it used), not totals.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from estapp.reporting import transfer
from tests.e2e.browser import DESKTOP, PHONE, assert_accessible, log_in

pytestmark = pytest.mark.e2e

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SKOLA = "skola@rapport.example"
EKHEM = "ekhem@rapport.example"
COORDINATOR = "samordnare@ekbacka.example"
SKOLA_ORG = "Ekbacka kommun, barn och utbildning"
OBSERVATIONS = [
    ("Centrum", "Stora torget", "Klotter", "Nytt klotter på väggen vid torghandeln."),
    ("Norrmalm", "Gångtunneln vid Norrvägen", "Otrygg plats", "Belysningen i tunneln är trasig."),
    ("Sjöängen", "Lekplatsen Sjöängen", "Skadegörelse", "Gungorna vid lekplatsen är sönder."),
]
PERSONNUMMER = "19121212-1212"


def _week_number() -> int:
    return datetime.now(STOCKHOLM).isocalendar()[1]


def _logged_in(open_page, email, viewport):
    page = open_page(viewport=viewport).page
    response = log_in(page, email)
    assert response.ok, f"login as {email} answered {response.status}"
    return page


def _open_this_week(page):
    page.goto("/rapport")
    page.get_by_role("link", name=f"Veckorapport vecka {_week_number()}").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Veckorapport vecka {_week_number()}"
    )


def _fill_observation(page, area, place, category, description):
    form = page.locator("form.observation-form")
    form.get_by_label("kväll (18–24)").check()
    form.get_by_label("Område", exact=True).select_option(label=area)
    form.get_by_label("Plats", exact=True).select_option(label=place)
    form.get_by_label("Händelsetyp").select_option(label=category)
    form.get_by_role("textbox", name="Beskrivning").fill(description)
    form.get_by_label("medel").check()


def _save(page):
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Spara händelsen").click()
    return navigation.value


def _board_row(page, organisation):
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=organisation))


def test_a_week_is_reported_on_a_phone_and_the_coordinator_sees_it(open_page):
    page = _logged_in(open_page, SKOLA, PHONE)
    _open_this_week(page)
    assert_accessible(page)

    # Places are filtered by the chosen area.
    form = page.locator("form.observation-form")
    form.get_by_label("Område", exact=True).select_option(label="Norrmalm")
    places = form.get_by_label("Plats", exact=True)
    expect(places.locator("option", has_text="Stora torget")).to_be_disabled()
    expect(places.locator("option", has_text="Idrottsplatsen")).to_be_enabled()

    # The first description names a person by personnummer: refused, marked, explained.
    area, place, category, description = OBSERVATIONS[0]
    _fill_observation(page, area, place, category, f"{description} Anmält av {PERSONNUMMER}.")
    response = _save(page)
    assert response.status == 400
    expect(page.get_by_role("alert")).to_contain_text("Något behöver rättas")
    check = page.get_by_role("region", name="Det här i beskrivningen kan peka ut en person")
    expect(check.locator("mark")).to_have_text(PERSONNUMMER)
    expect(page.locator("#description-error")).to_contain_text("personnummer")
    expect(page.get_by_role("textbox", name="Beskrivning")).to_have_value(
        f"{description} Anmält av {PERSONNUMMER}."
    )
    assert_accessible(page)

    page.get_by_role("textbox", name="Beskrivning").fill(description)
    assert _save(page).status == 200
    expect(page.get_by_role("status")).to_contain_text("Händelsen är sparad.")
    for area, place, category, description in OBSERVATIONS[1:]:
        _fill_observation(page, area, place, category, description)
        assert _save(page).status == 200
    table = page.get_by_role("region", name="Veckans händelser")
    for *_where, description in OBSERVATIONS:
        expect(table).to_contain_text(description)
    expect(table).not_to_contain_text(PERSONNUMMER)

    with page.expect_navigation():
        page.get_by_role("button", name="Skicka in veckan").click()
    expect(page.get_by_role("status")).to_contain_text("är inskickad")
    assert_accessible(page)

    other = _logged_in(open_page, EKHEM, PHONE)
    _open_this_week(other)
    with other.expect_navigation():
        other.get_by_role("button", name="Inget att rapportera").click()
    expect(other.get_by_role("status")).to_contain_text("inte finns något att rapportera")

    coordinator = _logged_in(open_page, COORDINATOR, DESKTOP)
    coordinator.goto("/samordning")
    next_week = coordinator.get_by_role("link", name=f"Vecka {_week_number()} →")
    if next_week.count():  # the board opens on the week whose deadline passed last
        next_week.click()
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text(f"vecka {_week_number()}")
    expect(_board_row(coordinator, SKOLA_ORG)).to_contain_text("inskickad")
    expect(_board_row(coordinator, "Ekbackahem AB")).to_contain_text("inget att rapportera")
    expect(_board_row(coordinator, "Tryggvakt Väst AB")).to_contain_text("saknas")
    assert_accessible(coordinator)

    # An import with one bad row imports nothing and names the row.
    coordinator.get_by_role("link", name="Importera från fil").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Importera händelser från fil")
    assert_accessible(coordinator)
    today = datetime.now(STOCKHOLM).date().isoformat()
    good = [today, "dag", "", "Centrum", "Biblioteket", "", "Nedskräpning"]
    imported_text = "Importtest: skräp utanför biblioteket."
    lines = [
        ";".join([*transfer.HEADERS, "Organisation"]),
        ";".join([*good, imported_text, "1", "låg", SKOLA_ORG]),
        ";".join(
            [today, "dag", "", "Månbasen", "", "", "Klotter", "Klotter.", "1", "låg", SKOLA_ORG]
        ),
    ]
    coordinator.get_by_label("Fil att importera").set_input_files(
        files=[
            {
                "name": "händelser.csv",
                "mimeType": "text/csv",
                "buffer": "\r\n".join(lines).encode("cp1252"),
            }
        ]
    )
    with coordinator.expect_navigation() as navigation:
        coordinator.get_by_role("button", name="Importera", exact=True).click()
    assert navigation.value.status == 400
    errors = coordinator.get_by_role("region", name="Rader som behöver rättas")
    expect(coordinator.get_by_role("heading", name="Inget importerades")).to_be_visible()
    expect(errors.get_by_role("rowheader")).to_have_text(["Rad 3"])
    expect(errors).to_contain_text("'Månbasen' finns inte i Ekbacka")
    assert_accessible(coordinator)

    coordinator.goto("/samordning/ekbacka/handelser")
    expect(coordinator.locator("main")).to_contain_text(OBSERVATIONS[0][3])
    expect(coordinator.locator("main")).not_to_contain_text(imported_text)
    assert re.search(r"handelser\.xlsx\?", coordinator.content())
