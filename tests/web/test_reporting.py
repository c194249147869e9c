"""A reporter's weekly report in the browser's shoes: observations, privacy, submitting, drafts."""

from __future__ import annotations

import html
import re
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from estapp.db import make_session_factory, utcnow
from estapp.models import (
    AuditEvent,
    Municipality,
    Observation,
    ObservationDraft,
    WeeklyReport,
)
from estapp.retention.periods import first_kept_week
from estapp.retention.purge import run_retention
from tests.integration import lagesbild_support as arrange
from tests.web.conftest import field_error, text_of
from tests.web.reporting_support import (
    ADMIN,
    COORDINATOR,
    POLIS,
    SKOLA,
    STOCKHOLM,
    VIEWER,
    add_observation,
    category,
    fresh,
    local_today,
    observation_form,
    place,
    this_week,
    week_url,
)

PERSONNUMMER = "19121212-1212"


def _textarea(response, name: str) -> str:
    page = response.get_data(as_text=True)
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, f"no textarea {name}"
    return html.unescape(match.group(1)).lstrip("\r\n")


def _revision(response) -> str:
    match = re.search(
        r'name="revision" type="hidden" value="(\d+)"', response.get_data(as_text=True)
    )
    assert match, "no revision on the page"
    return match.group(1)


def test_reporter_adds_three_observations_fixes_a_personnummer_and_submits(login, demo, db):
    web = login(SKOLA)
    week = this_week()

    overview = web.get("/rapport")
    assert overview.status_code == 200
    assert f"Veckorapport vecka {week.week}" in text_of(overview)
    assert "inte påbörjad" in text_of(overview)

    first = web.post(week_url(), observation_form(db), follow_redirects=True)
    assert "Händelsen är sparad." in text_of(first)
    second = web.post(
        week_url(),
        observation_form(
            db,
            category_id=category(db, "Nedskräpning").id,
            place_id="",
            other_place="Bakom pizzerian vid Storgatan",
            description="Mycket skräp och glasflaskor.",
        ),
        follow_redirects=True,
    )
    assert "Händelsen är sparad." in text_of(second)

    typed = f"Bråk vid torget, en av dem uppgav {PERSONNUMMER} till väktaren."
    refused = web.post(week_url(), observation_form(db, description=typed, occurrences="4"))

    assert refused.status_code == 400
    shown = text_of(refused)
    assert "Något behöver rättas" in shown
    assert f"Texten innehåller ett personnummer ({PERSONNUMMER})" in shown
    assert f"<mark>{PERSONNUMMER}</mark>" in refused.get_data(as_text=True)
    assert PERSONNUMMER in field_error(refused, "description")
    assert _textarea(refused, "description") == typed  # nothing typed is lost
    assert 'value="4"' in refused.get_data(as_text=True)

    fixed = typed.replace(f"en av dem uppgav {PERSONNUMMER} till väktaren", "väktare kallades")
    third = web.post(
        week_url(), observation_form(db, description=fixed, occurrences="4"), follow_redirects=True
    )
    assert "Händelsen är sparad." in text_of(third)
    shown = text_of(third)
    assert "Bakom pizzerian vid Storgatan" in shown and "annan plats" in shown
    assert "Händelser (3)" in shown
    assert PERSONNUMMER not in third.get_data(as_text=True)

    submitted = web.post(
        week_url() + "/skicka",
        {"revision": _revision(third), "action": "skicka"},
        form_page=week_url(),
        follow_redirects=True,
    )

    shown = text_of(submitted)
    assert f"Tack! Rapporten för vecka {week.week} är inskickad." in shown
    assert "Status inskickad" in shown
    fresh(db)
    assert db.scalar(select(func.count(Observation.id))) == 3


def test_a_second_identical_submit_changes_nothing(login, demo, db):
    web = login(SKOLA)
    page = web.post(week_url(), observation_form(db), follow_redirects=True)
    form = {"revision": _revision(page), "action": "skicka"}

    web.post(week_url() + "/skicka", form, form_page=week_url())
    again = web.post(week_url() + "/skicka", form, form_page=week_url(), follow_redirects=True)

    assert "Veckan är redan inskickad. Inget har ändrats." in text_of(again)
    assert "har ändrats sedan du öppnade sidan" not in text_of(again)
    fresh(db)
    submissions = db.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "report_submitted")
    )
    assert submissions == 1


def test_nothing_to_report_twice_is_harmless_too(login, demo, db):
    web = login(SKOLA)
    page = web.get(week_url())
    form = {"revision": _revision(page), "action": "inget"}

    first = web.post(week_url() + "/skicka", form, form_page=week_url(), follow_redirects=True)
    again = web.post(week_url() + "/skicka", form, form_page=week_url(), follow_redirects=True)

    assert "inte finns något att rapportera" in text_of(first)
    assert "Status inget att rapportera" in text_of(again)
    assert "Veckan är redan inskickad" in text_of(again)
    fresh(db)
    assert db.scalar(select(func.count(WeeklyReport.id))) == 1


def test_a_form_opened_before_a_change_cannot_submit_unseen_changes(login, demo, db):
    web = login(SKOLA)
    opened = web.get(week_url())
    stale = _revision(opened)
    web.post(week_url(), observation_form(db))  # e.g. in another tab

    response = web.post(
        week_url() + "/skicka",
        {"revision": stale, "action": "skicka"},
        form_page=week_url(),
        follow_redirects=True,
    )

    shown = text_of(response)
    assert "Rapporten har ändrats sedan du öppnade sidan" in shown
    assert "Status utkast" in shown


def test_nothing_to_report_is_refused_when_the_week_has_observations(login, demo, db):
    web = login(SKOLA)
    page = web.post(week_url(), observation_form(db), follow_redirects=True)

    response = web.post(
        week_url() + "/skicka",
        {"revision": _revision(page), "action": "inget"},
        form_page=week_url(),
        follow_redirects=True,
    )

    assert "Veckan har händelser." in text_of(response)
    assert "Status utkast" in text_of(response)


def test_a_100_kb_description_gets_a_message_and_is_kept(login, demo, db):
    web = login(SKOLA)
    long_text = "Klotter på fasaden. " * 5000  # 100 kB

    response = web.post(week_url(), observation_form(db, description=long_text))

    assert response.status_code == 400
    assert "Beskrivningen får vara högst 2000 tecken" in field_error(response, "description")
    assert _textarea(response, "description") == long_text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-3", "Ange antal som ett heltal från 1 till 999."),
        ("0", "Ange antal som ett heltal från 1 till 999."),
        ("1000000000000", "Ange antal som ett heltal från 1 till 999."),
        ("många", "Ange antal som ett heltal, till exempel 3."),
        ("", "Ange antal, till exempel 1."),
    ],
)
def test_a_count_outside_1_to_999_gets_a_clear_message(login, demo, db, typed, message):
    web = login(SKOLA)

    response = web.post(week_url(), observation_form(db, occurrences=typed))

    assert response.status_code == 400
    assert field_error(response, "occurrences") == message
    assert f'value="{typed}"' in response.get_data(as_text=True) or not typed


def test_the_rules_of_the_week_are_shown_at_their_fields(login, demo, db):
    web = login(SKOLA)
    week = this_week()
    outside = week.monday - timedelta(days=1)
    elsewhere = place(db, "Badplatsen", "Sjövik").id

    response = web.post(
        week_url(),
        observation_form(
            db,
            day=outside,
            place_id=elsewhere,
            time_of_day="",
            concern="",
            category_id="",
        ),
    )

    assert response.status_code == 400
    assert field_error(response, "occurred_on") == (
        f"Datumet måste ligga i vecka {week.week} ({week.monday}–{week.sunday})."
    )
    assert field_error(response, "time_of_day") == "Välj tid på dygnet eller ange en exakt tid."
    assert field_error(response, "category_id") == "Välj en händelsetyp."
    assert "Välj hur oroande det är" in field_error(response, "concern")
    summary = text_of(response)
    assert "Något behöver rättas" in summary and "Datum: Datumet måste ligga i" in summary

    response = web.post(week_url(), observation_form(db, place_id=elsewhere))

    assert response.status_code == 400
    assert "Platsen ligger inte i det valda området" in field_error(response, "place_id")
    assert 'value="Nytt klotter' not in response.get_data(as_text=True)
    assert _textarea(response, "description") == "Nytt klotter på väggen bakom busskuren."


def test_a_week_older_than_the_retention_period_is_refused_at_the_date(login, demo, db):
    first_kept = first_kept_week(local_today(), 24)
    too_old = first_kept.shift(-1)
    web = login(SKOLA)
    typed = observation_form(db, day=too_old.sunday, description="Klotter på muren.")

    page = web.get(week_url(too_old) + "?andra=1").get_data(as_text=True)
    assert "Veckan är gallrad." in page
    assert 'id="ny-handelse"' not in page and "Ändra i veckan" not in page

    # A form sent from a tab opened before the week was gallrad.
    response = web.post(week_url(too_old), typed, form_page=week_url(first_kept) + "?andra=1")

    assert response.status_code == 400
    assert field_error(response, "occurred_on") == (
        f"Veckan {too_old} är äldre än kommunens gallringsfrist (24 månader) och kan inte "
        f"läggas in. Händelser sparas från och med {first_kept}."
    )
    assert _textarea(response, "description") == "Klotter på muren."
    assert fresh(db).scalar(select(func.count()).select_from(Observation)) == 0
    kept = observation_form(db, day=first_kept.monday)
    assert web.post(week_url(first_kept), kept).status_code == 302


def test_a_possible_name_can_be_confirmed_as_not_a_person(login, demo, db):
    web = login(SKOLA)
    text = "Klotter på Anna Lindhs gata, vid Maria Skolgatan."

    warned = web.post(week_url(), observation_form(db, description=text))

    assert warned.status_code == 400
    assert "verkar innehålla ett namn" in field_error(warned, "description")
    assert "<mark>Maria Skolgatan</mark>" in warned.get_data(as_text=True)
    assert "Det är inte en person (t.ex. ett gatunamn)" in text_of(warned)

    saved = web.post(
        week_url(),
        observation_form(db, description=text, accept_name_warning="y"),
        follow_redirects=True,
    )
    assert "Händelsen är sparad." in text_of(saved)
    assert "Maria Skolgatan" in text_of(saved)


def test_an_exact_time_decides_the_time_of_day(login, demo, db):
    web = login(SKOLA)

    page = web.post(
        week_url(),
        observation_form(db, time_of_day="morgon", exact_time="23:40"),
        follow_redirects=True,
    )

    assert "kväll kl. 23.40" in text_of(page)


def test_the_reporter_changes_and_removes_an_observation(login, demo, db):
    web = login(SKOLA)
    web.post(week_url(), observation_form(db, description="Krossad ruta i entrén."))
    fresh(db)
    observation = db.scalar(select(Observation))
    edit_url = f"{week_url()}/handelse/{observation.id}"

    form_page = web.get(edit_url)
    assert form_page.status_code == 200
    assert _textarea(form_page, "description") == "Krossad ruta i entrén."

    changed = web.post(
        edit_url,
        observation_form(db, description="Två krossade rutor i entrén.", occurrences="2"),
        follow_redirects=True,
    )
    assert "Händelsen är ändrad." in text_of(changed)
    assert "Två krossade rutor i entrén." in text_of(changed)

    removed = web.post(edit_url + "/ta-bort", {}, form_page=week_url(), follow_redirects=True)
    assert "Händelsen är borttagen." in text_of(removed)
    assert "Inga händelser är sparade för veckan." in text_of(removed)


def test_another_organisations_observation_is_not_found(login, demo, db):
    theirs = add_observation(db, POLIS, this_week())
    web = login(SKOLA)
    url = f"{week_url()}/handelse/{theirs.id}"

    assert web.get(url).status_code == 404
    assert web.post(url, observation_form(db), form_page=week_url()).status_code == 404
    assert web.post(url + "/ta-bort", {}, form_page=week_url()).status_code == 404
    assert web.post(url + "/utkast", {"description": "x"}, form_page=week_url()).status_code == 404
    page = web.get(week_url())
    assert "Skadegörelse på lekplatsen." not in page.get_data(as_text=True)


def test_an_observation_under_another_week_in_the_url_is_not_found(login, demo, db):
    mine = add_observation(db, SKOLA, this_week())
    web = login(SKOLA)

    other_week = week_url(this_week().shift(-1))
    assert web.get(f"{other_week}/handelse/{mine.id}").status_code == 404
    sjovik = f"/rapport/sjovik/{this_week()}/handelse/{mine.id}"
    assert web.get(sjovik).status_code == 403  # skolan reports only in Ekbacka
    assert web.get(f"{week_url()}/handelse/{mine.id}").status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/rapport/ekbacka/2026-W99", "/rapport/ekbacka/vecka-47", "/rapport/ekbacka/2026-w47"],
)
def test_a_malformed_week_is_not_found(login, demo, path):
    web = login(SKOLA)

    response = web.get(path)

    assert response.status_code == 404
    assert "Sidan finns inte" in text_of(response)


def test_a_future_week_is_not_found_but_this_week_is(login, demo):
    web = login(SKOLA)

    assert web.get(week_url(this_week().shift(1))).status_code == 404
    assert web.get(week_url()).status_code == 200


def test_a_kommun_the_organisation_is_not_part_of_is_forbidden(login, demo):
    web = login(SKOLA)

    response = web.get(week_url(kommun="sjovik"))

    assert response.status_code == 403
    assert "Du har inte behörighet" in text_of(response)
    assert web.get(week_url(kommun="finns-inte")).status_code == 404


@pytest.mark.parametrize("email", [VIEWER, COORDINATOR, ADMIN])
def test_only_reporters_open_reporting_pages(login, demo, email):
    web = login(email)

    for path in ["/rapport", week_url(), "/rapport/historik", "/rapport/ekbacka/historik"]:
        assert web.get(path).status_code == 403, path
    assert web.post(week_url(), {}, form_page="/").status_code == 403


def test_a_late_week_can_still_be_reported_and_is_marked_late(login, demo, db):
    web = login(SKOLA)
    old = this_week().shift(-3)

    closed = web.get(week_url(old))
    assert "Veckan är stängd" in text_of(closed)
    assert 'name="description"' not in closed.get_data(as_text=True)

    editing = web.get(week_url(old) + "?andra=1")
    assert "markeras som sent" in text_of(editing)

    saved = web.post(
        week_url(old) + "?andra=1",
        observation_form(db, day=old.monday + timedelta(days=2)),
        follow_redirects=True,
    )
    assert "Händelsen är sparad." in text_of(saved)
    submitted = web.post(
        week_url(old) + "/skicka",
        {"revision": _revision(saved), "action": "skicka"},
        form_page=week_url(),
        follow_redirects=True,
    )

    shown = text_of(submitted)
    assert "Rapporten kom in efter tidsfristen och är markerad som sen." in shown
    assert "Status inskickad, sen" in shown


def test_a_draft_survives_logging_out_and_can_be_thrown_away(login, demo, db, web):
    login(SKOLA)
    typed = "Halvfärdig text om skadegörelse vid"

    kept = web.post(
        week_url() + "/utkast",
        observation_form(db, description=typed, occurrences="7"),
        form_page=week_url(),
    )
    assert kept.status_code == 200
    assert kept.get_json()["message"].startswith("Utkastet sparades kl. ")

    web.post("/logga-ut", {}, form_page="/")
    login(SKOLA)
    restored = web.get(week_url())

    assert "Vi har återställt det du skrev senast (sparat kl. " in text_of(restored)
    assert _textarea(restored, "description") == typed
    assert 'value="7"' in restored.get_data(as_text=True)

    thrown = web.post(week_url() + "/utkast/slang", {}, form_page=week_url(), follow_redirects=True)
    assert "Utkastet är slängt." in text_of(thrown)
    assert "Vi har återställt" not in text_of(thrown)
    assert typed not in thrown.get_data(as_text=True)


def test_saving_the_observation_discards_its_draft(login, demo, db):
    web = login(SKOLA)
    web.post(week_url() + "/utkast", observation_form(db), form_page=week_url())

    web.post(week_url(), observation_form(db))

    assert "Vi har återställt" not in text_of(web.get(week_url()))
    fresh(db)
    assert db.scalar(select(func.count(ObservationDraft.id))) == 0


def test_a_draft_of_a_change_is_restored_on_the_edit_page(login, demo, db):
    mine = add_observation(db, SKOLA, this_week())
    web = login(SKOLA)
    edit_url = f"{week_url()}/handelse/{mine.id}"

    web.post(
        edit_url + "/utkast", observation_form(db, description="Ändrad text"), form_page=edit_url
    )

    assert _textarea(web.get(edit_url), "description") == "Ändrad text"
    assert "Skadegörelse på lekplatsen." in text_of(web.get(week_url()))  # not saved yet


def test_the_page_works_without_javascript_and_loads_only_own_scripts(login, demo):
    web = login(SKOLA)

    page = web.get(week_url()).get_data(as_text=True)

    assert '<script src="/static/js/draft.js" defer></script>' in page
    assert '<script src="/static/js/places.js" defer></script>' in page
    assert "<script>" not in page
    assert re.search(r'<form method="post" action="/rapport/ekbacka/[^"]+"', page)
    assert "Annan plats (beskriv nedan)" in page
    assert re.search(r'<optgroup label="Centrum">\s*<option data-area="\d+"', page)
    assert f'value="{local_today().isoformat()}"' in page  # today is the default date


def test_history_lists_earlier_weeks_with_read_only_views(login, demo, db):
    old = this_week().shift(-2)
    add_observation(db, SKOLA, old)
    web = login(SKOLA)

    history = web.get("/rapport/historik", follow_redirects=True)

    shown = text_of(history)
    assert "Historik för Ekbacka" in shown
    assert f"vecka {old.week}, {old.year}" in shown
    assert "sen – inte inskickad" in shown
    week_page = web.get(week_url(old))
    assert "Skadegörelse på lekplatsen." in text_of(week_page)
    assert "Veckan är stängd" in text_of(week_page)


def _history_row(response, week) -> str:
    page = response.get_data(as_text=True)
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        if f"vecka {week.week}, {week.year}<" in row:
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
    raise AssertionError(f"no row for {week}")


def test_history_says_which_weeks_are_gallrade_rather_than_empty(login, demo, db, engine):
    first_kept = first_kept_week(local_today(), 24)
    old = first_kept.shift(-2)
    with arrange.committed(db):
        school = arrange.organisation(db, "Ekbacka kommun, barn")
        arrange.report(db, arrange.kommun(db), school, old, [("Klotter", "Stora torget", 1)])
        arrange.report(db, arrange.kommun(db), school, first_kept, [("Klotter", "Garagen", 1)])
    run_retention(make_session_factory(engine), now=utcnow(), tz=STOCKHOLM)
    web = login(SKOLA)
    page = (this_week().monday - old.monday).days // 7 // 20 + 1

    history = web.get(f"/rapport/ekbacka/historik?sida={page}")

    assert history.status_code == 200
    assert (
        "inskickad gallrad : Uppgifterna är gallrade enligt kommunens gallringsfrist"
        in _history_row(history, old)
    )
    assert "gallrad" not in _history_row(history, first_kept)
    assert (
        f"Händelser från veckor före vecka {first_kept.week}, {first_kept.year} är gallrade "
        "enligt kommunens gallringsfrist (24 månader)"
    ) in text_of(history)
    recent = text_of(web.get("/rapport/ekbacka/historik"))
    assert "gallrad" not in recent


def test_navigation_and_start_page_lead_to_the_weekly_report(login, demo):
    web = login(SKOLA)

    start = web.get("/").get_data(as_text=True)

    assert 'href="/rapport">Veckorapport</a>' in start
    assert 'href="/rapport/historik">Historik</a>' in start
    assert f'href="{week_url()}"' in start
    assert f"Veckorapport vecka {this_week().week}" in start


def _set_deadline(db, weekday: int, at: time) -> None:
    ekbacka = fresh(db).scalar(select(Municipality).where(Municipality.slug == "ekbacka"))
    ekbacka.deadline_weekday, ekbacka.deadline_time = weekday, at
    db.commit()


def test_last_week_stays_open_until_its_deadline_in_local_time(login, demo, db):
    _set_deadline(db, 6, time(23, 59, 59))  # Sunday of the following week, never passed yet
    last = this_week().shift(-1)
    web = login(SKOLA)

    shown = text_of(web.get("/rapport"))

    assert f"Veckorapport vecka {last.week}" in shown
    deadline = last.sunday + timedelta(days=7)
    assert f"söndag {deadline.day} " in shown and "kl. 23.59" in shown
    assert "inte påbörjad" in shown and "sen" not in shown.split()
    assert "Veckan är stängd" not in text_of(web.get(week_url(last)))


def test_an_overdue_week_is_listed_as_late_and_opens_for_editing(login, demo, db):
    _set_deadline(db, 0, time(0, 0))  # Monday 00.00: last week's deadline has passed
    last = this_week().shift(-1)
    web = login(SKOLA)

    overview = web.get("/rapport")

    assert f"Veckorapport vecka {last.week}" in text_of(overview)
    assert "sen – inte inskickad" in text_of(overview)
    assert f'href="{week_url(last)}?andra=1"' in overview.get_data(as_text=True)
    page = web.get(f"{week_url(last)}?andra=1")
    assert "markeras som sent" in text_of(page)
