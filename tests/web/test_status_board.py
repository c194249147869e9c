"""The coordinator's board, the observation list and corrections, and who may see them."""

from __future__ import annotations

import html
import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from estapp.db import make_session_factory, utcnow
from estapp.models import AuditEvent, Municipality, Observation, Place
from estapp.reporting import coordination
from estapp.retention.periods import first_kept_week
from estapp.retention.purge import run_retention
from estapp.weeks import IsoWeek
from tests.integration import lagesbild_support as arrange
from tests.web.conftest import field_error, text_of
from tests.web.reporting_support import (
    ADMIN,
    COORDINATOR,
    POLIS,
    SJOVIK_COORDINATOR,
    SKOLA,
    SOC,
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

EKBACKA_PARTNERS = 6  # polis, räddningstjänst, skola, socialtjänst, Ekbackahem, Tryggvakt


def _board(web, week=None):
    return web.get(f"/samordning/ekbacka/status?vecka={week or this_week()}")


def _row(response, organisation: str) -> str:
    """The board's table row of one organisation, as text."""
    page = response.get_data(as_text=True)
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S):
        if organisation in row:
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
    raise AssertionError(f"no row for {organisation}")


def _revision(response) -> str:
    return re.search(
        r'name="revision" type="hidden" value="(\d+)"', response.get_data(as_text=True)
    )[1]


def test_the_board_shows_who_submitted_who_has_nothing_and_who_is_missing(login, demo, db, app):
    reporter = login(SKOLA)
    for description in ("Klotter vid entrén.", "Skräp på skolgården.", "Krossad ruta."):
        page = reporter.post(
            week_url(), observation_form(db, description=description), follow_redirects=True
        )
    reporter.post(
        week_url() + "/skicka", {"revision": _revision(page), "action": "skicka"}, form_page="/"
    )
    reporter.post("/logga-ut", {}, form_page="/")
    other = login(SOC)
    other.post(
        week_url() + "/skicka",
        {"revision": _revision(other.get(week_url())), "action": "inget"},
        form_page="/",
    )
    other.post("/logga-ut", {}, form_page="/")

    board = _board(login(COORDINATOR))

    assert board.status_code == 200
    shown = text_of(board)
    assert f"2 av {EKBACKA_PARTNERS} har rapporterat." in shown
    assert "Ekbacka kommun, barn och utbildning" in _row(board, "barn och utbildning")
    skola = _row(board, "barn och utbildning")
    assert " inskickad " in f" {skola} " and " 3 " in f" {skola} "
    assert "kl." in skola  # the submission time, local
    assert "inget att rapportera" in _row(board, "socialtjänsten")
    for missing in ("Polisen", "Räddningstjänsten", "Ekbackahem", "Tryggvakt"):
        assert "saknas" in _row(board, missing), missing
    assert "Fritid" not in shown and "Sjövikshus" not in shown  # partners of Sjövik only


def _reported_then_gallrad(db, engine, reports) -> None:
    """Partners' submitted reports of old weeks, then the nightly gallring."""
    with arrange.committed(db):
        ekbacka = arrange.kommun(db)
        for prefix, week, observations in reports:
            arrange.report(db, ekbacka, arrange.organisation(db, prefix), week, observations)
    run_retention(make_session_factory(engine), now=utcnow(), tz=STOCKHOLM)


def test_a_gallrad_week_says_so_instead_of_showing_no_events(login, demo, db, engine):
    first_kept = first_kept_week(local_today(), 24)
    old = first_kept.shift(-1)
    _reported_then_gallrad(
        db,
        engine,
        [
            ("Polisen", old, [("Klotter", "Stora torget", 3), ("Skadegörelse", "Garagen", 1)]),
            ("Ekbacka kommun, socialtjänsten", old, []),
            ("Polisen", first_kept, [("Klotter", "Stora torget", 2)]),
        ],
    )
    web = login(COORDINATOR)

    board = _board(web, old)

    shown = text_of(board)
    assert "2 av 6 har rapporterat. Veckans händelser är gallrade." in shown
    assert "totalt" not in shown
    assert (
        "Veckan är gallrad. Uppgifterna är gallrade enligt kommunens gallringsfrist (24 månader)"
    ) in shown
    explained = "gallrad : Uppgifterna är gallrade enligt kommunens gallringsfrist"
    assert "inskickad" in _row(board, "Polisen") and explained in _row(board, "Polisen")
    assert "inget att rapportera" in _row(board, "socialtjänsten")
    assert not re.search(r"\b0\b", _row(board, "socialtjänsten"))
    kept = _board(web, first_kept)
    assert "gallrad" not in text_of(kept)
    assert "1 av 6 har rapporterat. 1 händelse totalt." in text_of(kept)


def test_a_week_gallrad_for_one_category_shows_what_is_left(login, demo, db, engine):
    with arrange.committed(db):
        arrange.category(db, arrange.kommun(db), "Klotter").retention_months = 13
    week = first_kept_week(local_today(), 13).shift(-1)
    _reported_then_gallrad(
        db,
        engine,
        [("Polisen", week, [("Klotter", "Stora torget", 3), ("Skadegörelse", "Garagen", 1)])],
    )

    board = _board(login(COORDINATOR), week)

    shown = text_of(board)
    assert "1 händelse totalt." in shown
    assert "Veckan är delvis gallrad. Händelser av typen Klotter är gallrade" in shown
    assert "Antalen visar de händelser som finns kvar." in shown
    polisen = _row(board, "Polisen")
    assert " 1 händelser från Polisen" in polisen and "delvis gallrad" in polisen


def test_a_draft_and_a_change_after_submission_are_visible(login, demo, db):
    add_observation(db, POLIS, this_week())
    reporter = login(SKOLA)
    page = reporter.post(week_url(), observation_form(db), follow_redirects=True)
    reporter.post(
        week_url() + "/skicka", {"revision": _revision(page), "action": "skicka"}, form_page="/"
    )
    reporter.post(week_url(), observation_form(db, description="Upptäckt senare samma vecka."))
    reporter.post("/logga-ut", {}, form_page="/")

    board = _board(login(COORDINATOR))

    assert "utkast" in _row(board, "Polisen")
    skola = _row(board, "barn och utbildning")
    assert "inskickad" in skola and " 2 " in f" {skola} "
    assert re.search(r"ja, \w+ \d+ \w+ kl\. \d\d\.\d\d", skola), skola


def test_a_late_submission_shows_as_late(login, demo, db):
    old = this_week().shift(-3)
    reporter = login(SKOLA)
    page = reporter.get(week_url(old) + "?andra=1")
    reporter.post(
        week_url(old) + "/skicka", {"revision": _revision(page), "action": "inget"}, form_page="/"
    )
    reporter.post("/logga-ut", {}, form_page="/")

    board = _board(login(COORDINATOR), old)

    assert "sen" in _row(board, "barn och utbildning").split()


def test_the_board_defaults_to_the_latest_week_past_its_deadline(login, demo, db):
    now = utcnow()
    ekbacka = db.scalar(select(Municipality).where(Municipality.slug == "ekbacka"))
    expected = coordination.default_board_week(ekbacka, now=now, tz=STOCKHOLM)
    assert expected in (this_week(), this_week().shift(-1), this_week().shift(-2))
    web = login(COORDINATOR)

    board = web.get("/samordning/ekbacka/status")

    shown = text_of(board)
    assert f"Rapportering vecka {expected.week}, {expected.year}" in shown
    previous = expected.shift(-1)
    assert f'href="/samordning/ekbacka/status?vecka={previous}"' in board.get_data(as_text=True)


def test_the_board_never_goes_beyond_this_week(login, demo):
    web = login(COORDINATOR)

    current = _board(web, this_week())

    assert f"vecka={this_week().shift(1)}" not in current.get_data(as_text=True)
    assert _board(web, this_week().shift(1)).status_code == 404
    assert web.get("/samordning/ekbacka/status?vecka=nästa").status_code == 404


def test_the_default_week_follows_the_deadline():
    ekbacka = Municipality(
        name="Ekbacka", slug="ekbacka", deadline_weekday=0, deadline_time=time(9)
    )
    before = datetime(2026, 11, 23, 8, 59, tzinfo=STOCKHOLM)  # Monday of week 48
    after = before + timedelta(minutes=1)

    assert coordination.default_board_week(ekbacka, now=before, tz=STOCKHOLM) == IsoWeek(2026, 46)
    assert coordination.default_board_week(ekbacka, now=after, tz=STOCKHOLM) == IsoWeek(2026, 47)


def test_a_coordinator_of_another_kommun_cannot_open_the_board(login, demo, db):
    mine = add_observation(db, POLIS, this_week())
    web = login(SJOVIK_COORDINATOR)

    for path in [
        "/samordning/ekbacka/status",
        "/samordning/ekbacka/handelser",
        f"/samordning/ekbacka/handelser/{mine.id}",
    ]:
        response = web.get(path)
        assert response.status_code == 403, path
        assert "Du har inte behörighet" in text_of(response)
    assert web.get("/samordning/sjovik/status").status_code == 200
    assert web.get(f"/samordning/sjovik/handelser/{mine.id}").status_code == 404


@pytest.mark.parametrize("email", [VIEWER, SKOLA])
def test_viewers_and_reporters_see_no_board_and_no_observations(login, demo, db, email):
    mine = add_observation(db, POLIS, this_week())
    web = login(email)

    for path in [
        "/samordning",
        "/samordning/ekbacka/status",
        "/samordning/ekbacka/handelser",
        f"/samordning/ekbacka/handelser/{mine.id}",
    ]:
        assert web.get(path).status_code == 403, path
    assert (
        web.post(f"/samordning/ekbacka/handelser/{mine.id}", {}, form_page="/").status_code == 403
    )


def test_an_admin_without_kommun_sees_the_board_but_no_raw_observations(login, demo, db):
    mine = add_observation(db, POLIS, this_week())
    web = login(ADMIN)

    board = _board(web)
    assert board.status_code == 200
    assert "Skadegörelse på lekplatsen." not in board.get_data(as_text=True)
    assert web.get("/samordning/ekbacka/handelser").status_code == 403
    assert web.get(f"/samordning/ekbacka/handelser/{mine.id}").status_code == 403
    chooser = web.get("/samordning")
    assert "Ekbacka" in text_of(chooser) and "Sjövik" in text_of(chooser)


def test_the_coordinator_nav_link_leads_to_the_board(login, demo):
    web = login(COORDINATOR)

    start = web.get("/").get_data(as_text=True)

    assert 'href="/samordning">Rapportering</a>' in start
    assert 'href="/samordning/ekbacka/status"' in start
    response = web.get("/samordning")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/samordning/ekbacka/status")


def test_the_observation_list_filters_by_organisation_category_and_weeks(login, demo, db):
    week = this_week()
    add_observation(db, POLIS, week, description="Bilbränder vid garagen.")
    add_observation(db, SKOLA, week, description="Klotter på skolan.", category_name="Klotter")
    add_observation(db, SKOLA, week.shift(-5), description="Gammalt klotter.")
    web = login(COORDINATOR)

    everything = web.get("/samordning/ekbacka/handelser")
    shown = text_of(everything)
    assert "Bilbränder vid garagen." in shown and "Klotter på skolan." in shown
    assert "Gammalt klotter." not in shown  # the default is the last four weeks
    assert "visar 1–2 av 2 händelser" in shown

    klotter = category(db, "Klotter").id
    only_klotter = web.get(f"/samordning/ekbacka/handelser?typ={klotter}")
    assert "Klotter på skolan." in text_of(only_klotter)
    assert "Bilbränder" not in text_of(only_klotter)

    longer = web.get(f"/samordning/ekbacka/handelser?fran={week.shift(-6)}&till={week}")
    assert "Gammalt klotter." in text_of(longer)
    assert "visar 1–3 av 3 händelser" in text_of(longer)


def test_malformed_weeks_get_swedish_messages_at_the_fields(login, demo):
    web = login(COORDINATOR)

    response = web.get("/samordning/ekbacka/handelser?fran=vecka+47&till=2026-W60")

    assert response.status_code == 400
    assert html.unescape(field_error(response, "fran")) == (
        "'vecka 47' är ingen vecka; skriv till exempel 2026-W47."
    )
    assert "ingen vecka 60" in field_error(response, "till")
    assert 'value="vecka 47"' in response.get_data(as_text=True)

    backwards = web.get("/samordning/ekbacka/handelser?fran=2026-W47&till=2026-W40")
    assert "Till-veckan ligger före från-veckan" in field_error(backwards, "till")


def test_the_observation_list_is_paginated(login, demo, db):
    for number in range(53):
        add_observation(db, POLIS, this_week(), description=f"Händelse nummer {number}.")
    web = login(COORDINATOR)

    first = web.get("/samordning/ekbacka/handelser")
    assert "visar 1–50 av 53 händelser" in text_of(first)
    assert "Sida 1 av 2" in text_of(first)
    second = web.get("/samordning/ekbacka/handelser?sida=2")
    assert "visar 51–53 av 53 händelser" in text_of(second)
    assert "Föregående sida" in text_of(second)


def test_a_correction_is_audited_and_the_reporter_sees_it(login, demo, db):
    theirs = add_observation(db, SKOLA, this_week(), description="Klotter på Resecentrum.")
    web = login(COORDINATOR)
    url = f"/samordning/ekbacka/handelser/{theirs.id}"
    assert "Klotter på Resecentrum." in text_of(web.get(url))

    corrected = web.post(
        url,
        {"category_id": category(db, "Klotter").id, "place_id": place(db, "Resecentrum").id},
        follow_redirects=True,
    )

    assert "Händelsen är rättad." in text_of(corrected)
    fresh(db)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "observation_corrected"))
    assert event is not None and event.object_id == theirs.id
    assert event.details["changes"]["category"] == ["Skadegörelse", "Klotter"]
    assert event.details["changes"]["place"] == ["Centrum: Stora torget", "Centrum: Resecentrum"]
    web.post("/logga-ut", {}, form_page="/")

    page = login(SKOLA).get(week_url())

    row = _row(page, "Klotter på Resecentrum.")
    assert "Ändrad av samordnaren" in row
    assert "Klotter" in row and "Resecentrum" in row and "Stora torget" not in row


def test_an_other_place_becomes_a_place_of_its_area(login, demo, db):
    theirs = add_observation(
        db, SKOLA, this_week(), place_name=None, other_place="Cykelparkeringen vid simhallen"
    )
    web = login(COORDINATOR)
    url = f"/samordning/ekbacka/handelser/{theirs.id}"

    page = web.get(url)
    assert 'value="Cykelparkeringen vid simhallen"' in page.get_data(as_text=True)
    done = web.post(
        url + "/ny-plats", {"name": "Cykelparkeringen vid simhallen"}, follow_redirects=True
    )

    assert "Platsen Cykelparkeringen vid simhallen finns nu i området Centrum." in text_of(done)
    fresh(db)
    created = db.scalar(select(Place).where(Place.name == "Cykelparkeringen vid simhallen"))
    observation = db.get(Observation, theirs.id)
    assert observation.place_id == created.id and observation.other_place is None
    assert observation.corrected_by_coordinator
    actions = list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-2:] == ["place_created", "observation_corrected"]


def test_a_new_place_with_a_taken_name_gets_a_message(login, demo, db):
    theirs = add_observation(db, SKOLA, this_week(), place_name=None, other_place="vid torget")
    web = login(COORDINATOR)

    response = web.post(
        f"/samordning/ekbacka/handelser/{theirs.id}/ny-plats",
        {"name": "Stora torget"},
        form_page="/",
    )

    assert response.status_code == 400
    assert "Det finns redan en plats som heter Stora torget" in field_error(response, "name")


def test_the_board_shows_reports_changed_after_the_lagesbild_was_compiled(login, demo, db):
    from estapp.lagesbild.services import compile_picture
    from estapp.models import CompileReason

    week = IsoWeek.containing(utcnow(), STOCKHOLM).shift(-1)
    add_observation(db, SKOLA, week, now=utcnow() - timedelta(hours=2))
    db.rollback()
    with db.begin():
        kommun = db.scalar(select(Municipality).where(Municipality.slug == "ekbacka"))
        compile_picture(
            db,
            kommun,
            week,
            reason=CompileReason.MANUAL,
            actor=None,
            now=utcnow() - timedelta(hours=1),
        )
    coordinator = login(COORDINATOR)
    before = text_of(_board(coordinator, week))
    assert "(version 1)" in before and "Inga rapporter har ändrats sedan dess." in before

    add_observation(db, SKOLA, week, description="Ny händelse efteråt.")
    after = text_of(_board(coordinator, week))
    assert "Efter det har rapporter ändrats av: Ekbacka kommun, barn och utbildning." in after
    assert "Sammanställ lägesbilden igen" in after


def test_the_coordinator_sets_the_kommun_deadline(login, demo, db):
    coordinator = login(COORDINATOR)
    page = coordinator.get("/samordning/ekbacka/installningar")
    assert "måndag" in text_of(page) and "kl. 09.00" in text_of(page)

    bad = coordinator.post(
        "/samordning/ekbacka/installningar", {"deadline_weekday": "9", "deadline_time": "25:99"}
    )
    assert bad.status_code == 400
    assert field_error(bad, "deadline_time") == "Skriv tiden som TT:MM, till exempel 09:00."
    assert 'value="25:99"' in bad.get_data(as_text=True)  # what was typed is kept

    coordinator.post(
        "/samordning/ekbacka/installningar", {"deadline_weekday": "4", "deadline_time": "12:00"}
    )
    assert "fredag" in text_of(coordinator.get("/samordning/ekbacka/installningar"))
    assert "fredag" in text_of(_board(coordinator)) and "kl. 12.00" in text_of(_board(coordinator))
    actions = fresh(db).scalars(select(AuditEvent.action)).all()
    assert "deadline_changed" in actions


def test_only_the_kommun_coordinator_changes_its_deadline(login, demo):
    other = login(SJOVIK_COORDINATOR)
    assert other.get("/samordning/ekbacka/installningar").status_code == 403
    other.post("/logga-ut", {}, form_page="/")
    reporter_client = login(SKOLA)
    assert reporter_client.get("/samordning/ekbacka/installningar").status_code == 403
