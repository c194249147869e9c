"""The lägesbild page as coordinators, reporters and viewers see it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from estapp.db import utcnow
from estapp.lagesbild import services
from estapp.models import CompileReason
from estapp.weeks import IsoWeek
from tests.integration.lagesbild_support import committed, kommun, organisation, report
from tests.web.conftest import text_of

COORDINATOR = "samordnare@ekbacka.example"
REPORTER = "skola@rapport.example"
VIEWER = "lasare@ekbacka.example"
SJOVIK_COORDINATOR = "samordnare@sjovik.example"


def last_week() -> IsoWeek:
    return IsoWeek.containing(utcnow(), ZoneInfo("Europe/Stockholm")).shift(-1)


def url(week: IsoWeek | None = None, slug: str = "ekbacka") -> str:
    return f"/lagesbild/{slug}/{week or last_week()}"


@pytest.fixture
def compiled(demo):
    """Last week in Ekbacka compiled as a draft: 7 klotter at Stora torget by two partners."""
    db, week = demo, last_week()
    with committed(db):
        ekbacka = kommun(db)
        report(db, ekbacka, organisation(db, "Polisen"), week, [("Klotter", "Stora torget", 5)])
        report(
            db,
            ekbacka,
            organisation(db, "Ekbacka kommun, barn"),
            week,
            [
                ("Klotter", "Stora torget", 2),
                ("Skadegörelse", "Garagen", 1),
            ],
        )
        services.compile_picture(
            db, ekbacka, week, reason=CompileReason.CLI, actor=None, now=utcnow()
        )
    return db


def test_the_coordinator_sees_the_draft_with_exact_figures(login, compiled):
    page = text_of(login(COORDINATOR).get(url()))
    assert f"Lägesbild vecka {last_week().week}, {last_week().year}" in page
    assert "Utkast · version 1" in page
    assert "Händelser 8" in page
    assert "Skadegörelse 1" in page  # exact, not "<3", for coordinators
    assert "Stora torget Centrum 7 flera aktörer" in page
    assert "Räddningstjänsten Ekbacka–Sjövik" in page  # a missing partner, named


def test_a_reporter_sees_nothing_before_publishing_then_suppressed_figures(login, compiled):
    web = login(REPORTER)
    assert "Det finns ingen fastställd lägesbild för veckan." in text_of(web.get(url()))
    web.client.post("/logga-ut", data={"csrf_token": web.token("/")})
    coordinator = login(COORDINATOR)
    response = coordinator.post(
        f"{url()}/version/1/bedomning",
        {"assessment": "Klottret vid torget ökar.", "notable_events": ""},
        form_page=url(),
    )
    assert response.status_code == 302
    response = coordinator.post(f"{url()}/version/1/faststall", {}, form_page=url())
    assert response.status_code == 302
    page = text_of(coordinator.get(url()))
    assert "Fastställd" in page and "Klottret vid torget ökar." in page
    coordinator.client.post("/logga-ut", data={"csrf_token": coordinator.token("/")})

    page = text_of(login(REPORTER).get(url()))
    assert "Fastställd" in page and "Klottret vid torget ökar." in page
    assert "Skadegörelse &lt;3" in page  # a small count is hidden, shown as "<3"
    assert "Skadegörelse 1" not in page
    assert "Räddningstjänsten Ekbacka–Sjövik" not in page  # missing partners are not named
    assert "Sammanställ nu" not in page


def test_the_viewer_of_another_kommun_is_refused(login, compiled):
    assert login(SJOVIK_COORDINATOR).get(url()).status_code == 403


def test_a_malformed_or_future_week_is_not_found(login, compiled):
    web = login(VIEWER)
    assert web.get("/lagesbild/ekbacka/2026-47").status_code == 404
    assert web.get(url(last_week().shift(5))).status_code == 404
    assert web.get("/lagesbild/finns-inte").status_code == 404


def test_the_coordinator_compiles_and_compares_versions(login, compiled):
    db = compiled
    web = login(COORDINATOR)
    response = web.post(f"{url()}/sammanstall", {}, form_page=url(), follow_redirects=True)
    assert "ingen ny version" in response.get_data(as_text=True)
    with committed(db):
        report(
            db,
            kommun(db),
            organisation(db, "Räddningstjänsten"),
            last_week(),
            [("Anlagd brand", "Garagen", 3)],
        )
    response = web.post(f"{url()}/sammanstall", {}, form_page=url(), follow_redirects=True)
    assert "Version 2 är sammanställd." in response.get_data(as_text=True)
    page = text_of(web.get(f"{url()}/jamfor"))
    assert "Händelser totalt 8 11" in page
    assert "Händelsetyp: Anlagd brand 0 3" in page
    # The old version cannot be published any more.
    response = web.post(f"{url()}/version/1/faststall", {}, form_page=url(), follow_redirects=True)
    assert "En nyare version finns (version 2)" in response.get_data(as_text=True)


def test_latest_redirects_to_the_newest_published_week_for_partners(login, compiled):
    web = login(VIEWER)
    response = web.get("/lagesbild/ekbacka")
    assert response.status_code == 200
    assert "Ingen lägesbild är fastställd än." in text_of(response)


def test_the_page_has_no_inline_script_or_style(login, compiled):
    html = login(COORDINATOR).get(url()).get_data(as_text=True)
    assert "<script" not in html and "style=" not in html and "<style" not in html
    assert '<th scope="col">' in html and "<caption" in html
    assert "<svg" in html and "<title" in html


def test_a_week_without_data_is_a_valid_picture_that_says_so(login, compiled):
    quiet = last_week().shift(-2)
    web = login(COORDINATOR)
    response = web.post(
        f"{url(quiet)}/sammanstall", {}, form_page=url(quiet), follow_redirects=True
    )
    page = text_of(response)
    assert "Version 1 är sammanställd." in page
    assert f"Inga händelser rapporterades vecka {quiet.week}." in page
    assert "Händelser 0" in page and "Inga platser rapporterades." in page
    # A week with data does not claim to be empty.
    assert "Inga händelser rapporterades" not in text_of(web.get(url()))


def test_publishing_an_out_of_date_version_explains_why_in_swedish(login, compiled):
    db = compiled
    with committed(db):
        report(
            db,
            kommun(db),
            organisation(db, "Räddningstjänsten"),
            last_week(),
            [("Anlagd brand", "Garagen", 3)],
        )
        services.compile_picture(
            db, kommun(db), last_week(), reason=CompileReason.CLI, actor=None, now=utcnow()
        )
    web = login(COORDINATOR)
    response = web.post(f"{url()}/version/1/faststall", {}, form_page=url(), follow_redirects=True)
    assert response.status_code == 200
    page = text_of(response)
    assert "En nyare version finns (version 2); öppna den och arbeta vidare där." in page
    assert "är fastställd och syns nu" not in page
    assert "Utkast · version 1" in page  # the refused version is still a draft

    web.post(f"{url()}/version/2/faststall", {}, form_page=url())
    response = web.post(f"{url()}/version/2/faststall", {}, form_page=url(), follow_redirects=True)
    assert "Version 2 är fastställd och kan inte ändras." in text_of(response)
    web.client.post("/logga-ut", data={"csrf_token": web.token("/")})
    page = text_of(login(VIEWER).get(url()))
    assert "Fastställd" in page and "version 2" in page and "version 1" not in page
