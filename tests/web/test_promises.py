"""Medborgarlöften pages: the coordinator writes a promise and its commitments; who may do what."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from estapp.models import AuditEvent, Commitment, Municipality, ProblemArea, Promise
from tests.web.conftest import field_error, text_of
from tests.web.reporting_support import ADMIN, COORDINATOR, SJOVIK_COORDINATOR, SKOLA, VIEWER, fresh

SJOVIK_REPORTER = "fritid@rapport.example"
EKBACKA = "/medborgarloften/ekbacka"


def promise_form(**changes: object) -> dict[str, object]:
    """What a coordinator types for a new one-year promise with two problem areas."""
    values: dict[str, object] = {
        "title": "Tryggare kvällar i Ekbacka",
        "period_start": "2027",
        "period_end": "2027",
        "status": "active",
        "summary": "Kommunen och polisen lovar tryggare kvällar i centrum.",
        "background": "Lägesbilden visar stök vid Resecentrum.",
        "problem_areas-0-id": "",
        "problem_areas-0-name": "Stök vid Resecentrum",
        "problem_areas-0-description": "Grupper samlas sent på kvällen.",
        "problem_areas-1-id": "",
        "problem_areas-1-name": "",
        "problem_areas-1-description": "Nedskräpning i parken.",
        "problem_areas-2-id": "",
        "problem_areas-2-name": "",
        "problem_areas-2-description": "",
        "goal": "Fler ska känna sig trygga.",
        "follow_up": "EST-gruppen följer upp varje tertial.",
        "signed_on": "2026-12-10",
        "signatories": "Kommunstyrelsens ordförande och lokalpolisområdeschefen",
        "contact": "Kommunpolisen i Ekbacka",
    }
    values.update(changes)
    return values


def commitment_form(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "text": "Polisen ska patrullera vid Resecentrum fredag och lördag kväll.",
        "responsible": ["polis", "ovriga"],
        "responsible_detail": "Tryggvakt Väst AB",
        "scope": "Två kvällar i veckan",
        "follow_up": "Kommunpolisen, varje månad",
        "evaluation": "EST-gruppen vid årets slut",
        "indicator_name": "Andel trygga vid Resecentrum",
        "indicator_unit": "procent",
        "indicator_direction": "increase",
        "indicator_target": "72,5",
        "indicator_note": "Trygghetsmätningen",
        "public_note": "Patrullerna har börjat.",
    }
    values.update(changes)
    return values


def promise_of(db, slug: str) -> Promise:
    """The promise the demo data gave the kommun."""
    fresh(db)
    return db.scalar(select(Promise).where(Promise.municipality.has(Municipality.slug == slug)))


def url_of(promise: Promise) -> str:
    return f"/medborgarloften/{promise.municipality.slug}/{promise.id}"


def count(db, model) -> int:
    fresh(db)
    return db.scalar(select(func.count()).select_from(model))


def actions(db) -> list[str]:
    fresh(db)
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def commitment_block(response, commitment_id: int) -> str:
    page = response.get_data(as_text=True)
    match = re.search(
        rf'<li class="commitment" id="atagande-{commitment_id}">(.*?)</li>', page, re.S
    )
    assert match, f"no commitment {commitment_id} on the page"
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))).strip()
    return text.replace(" ,", ",")  # a link's end tag left a space before the comma


def is_checked(page: str, name: str, value: object) -> bool:
    """Whether the checkbox or radio button with this name and value is ticked."""
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return " checked" in tag
    raise AssertionError(f"no input {name}={value}")


def switch(web, email: str, login):
    web.post("/logga-ut", {}, form_page="/")
    return login(email)


# --- writing a promise -----------------------------------------------------------------------


def test_the_coordinator_writes_a_promise_and_its_commitments(login, demo, db):
    web = login(COORDINATOR)

    response = web.post(f"{EKBACKA}/nytt", promise_form())

    assert response.status_code == 302, text_of(response)
    page = web.get(response.headers["Location"])
    shown = text_of(page)
    assert "Medborgarlöftet är sparat. Lägg nu till dess åtaganden." in shown
    assert "Tryggare kvällar i Ekbacka Ekbacka · 2027 · gäller" in shown
    assert "Stök vid Resecentrum Grupper samlas sent på kvällen. Nedskräpning i parken." in shown
    assert "Undertecknat 10 december 2026" in shown
    assert "Medborgarlöftet har inga åtaganden ännu." in shown
    created = db.scalar(select(Promise).where(Promise.title == "Tryggare kvällar i Ekbacka"))
    assert [a.name for a in created.problem_areas] == ["Stök vid Resecentrum", ""]

    area = created.problem_areas[0].id
    response = web.post(
        f"{url_of(created)}/ataganden/nytt", commitment_form(problem_areas=[str(area)])
    )
    assert response.status_code == 302, text_of(response)
    web.post(
        f"{url_of(created)}/ataganden/nytt",
        {"text": "Kommunen tänder belysningen i parken.", "responsible": "kommun"},
    )

    page = web.get(url_of(fresh(db).get(Promise, created.id)))
    first, second = fresh(db).get(Promise, created.id).commitments
    assert commitment_block(page, first.id) == (
        "Åtagande 1 Polisen ska patrullera vid Resecentrum fredag och lördag kväll. "
        "Ansvarig Polisen och andra (Tryggvakt Väst AB) "
        "Omfattning Två kvällar i veckan "
        "Uppföljning Kommunpolisen, varje månad "
        "Utvärdering EST-gruppen vid årets slut "
        "Problemområden Stök vid Resecentrum "
        "Indikator Andel trygga vid Resecentrum Mål: öka till 72,5 procent Trygghetsmätningen "
        "Till invånarna Patrullerna har börjat. "
        "Hur det går Status: ingen aktivitet · 0 av 0 åtgärder genomförda · i tid: – "
        "· senaste aktivitet: – "
        "Tidslinje för åtagande 1 Ändra åtagande 1 Ta bort åtagande 1 Flytta ner åtagande 1"
    )
    assert commitment_block(page, second.id).startswith(
        "Åtagande 2 Kommunen tänder belysningen i parken. Ansvarig Kommunen Hur det går"
    )
    assert actions(db)[-3:] == ["promise_created", "commitment_created", "commitment_created"]


def test_the_forms_show_what_is_stored_and_an_edit_is_saved(login, demo, db):
    web = login(COORDINATOR)
    promise = promise_of(db, "ekbacka")
    commitment = promise.commitments[1]
    edit_url = f"{url_of(promise)}/ataganden/{commitment.id}/andra"

    form = web.get(edit_url).get_data(as_text=True)

    assert is_checked(form, "responsible", "polis")
    assert not is_checked(form, "responsible", "kommun")
    assert 'value="Ingripandeverksamheten"' in form and 'value="60"' in form
    assert '<option selected value="increase">' in form
    area = promise.problem_areas[1]
    assert is_checked(form, "problem_areas", area.id)

    response = web.post(edit_url, commitment_form(responsible="kommun", responsible_detail=""))
    assert response.status_code == 302
    changed = fresh(db).get(Commitment, commitment.id)
    assert changed.responsible_kommun and not changed.responsible_polis
    assert changed.problem_areas == []
    assert changed.indicator_target == 72.5
    assert "Åtagandet är ändrat." in text_of(web.get(response.headers["Location"]))
    event = fresh(db).scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert event.action == "commitment_updated" and event.object_id == commitment.id
    assert event.details["changes"]["responsible"] == [["polis"], ["kommun"]]

    promise_form_page = web.get(f"{url_of(promise)}/andra").get_data(as_text=True)
    assert f'name="problem_areas-0-id" type="hidden" value="{promise.problem_areas[0].id}"' in (
        promise_form_page
    )
    assert is_checked(promise_form_page, "status", "active")


def test_problem_areas_are_renamed_removed_and_added_and_links_follow(login, demo, db):
    web = login(COORDINATOR)
    promise = promise_of(db, "ekbacka")
    first, second, third = promise.problem_areas
    second_id = second.id
    linked_to_second = [c.id for c in promise.commitments if second in c.problem_areas]
    assert linked_to_second

    response = web.post(
        f"{url_of(promise)}/andra",
        promise_form(
            title=promise.title,
            period_start=str(promise.period_start),
            period_end=str(promise.period_end),
            **{
                "problem_areas-0-id": str(first.id),
                "problem_areas-0-name": "Klotter i centrum",
                "problem_areas-0-description": first.description,
                "problem_areas-1-id": str(second.id),
                "problem_areas-1-name": second.name,
                "problem_areas-1-description": second.description,
                "problem_areas-1-remove": "y",
                "problem_areas-2-id": str(third.id),
                "problem_areas-2-name": third.name,
                "problem_areas-2-description": third.description,
                "problem_areas-3-id": "",
                "problem_areas-3-name": "Trafik vid skolan",
                "problem_areas-3-description": "",
            },
        ),
    )

    assert response.status_code == 302, text_of(response)
    fresh(db)
    areas = db.get(Promise, promise.id).problem_areas
    assert [(a.id, a.name) for a in areas[:2]] == [
        (first.id, "Klotter i centrum"),
        (third.id, third.name),
    ]
    assert areas[2].name == "Trafik vid skolan"
    assert db.get(ProblemArea, second_id) is None
    for commitment_id in linked_to_second:
        assert second_id not in [a.id for a in db.get(Commitment, commitment_id).problem_areas]
    page = web.get(url_of(promise))
    first_commitment = promise.commitments[0].id
    assert "Problemområden Klotter i centrum, Mörka passager" in commitment_block(
        page, first_commitment
    )
    event = fresh(db).scalar(select(AuditEvent).where(AuditEvent.action == "promise_updated"))
    assert event.details["changes"]["problem_areas"][1] == [
        "Klotter i centrum",
        "Mörka passager",
        "Trafik vid skolan",
    ]


def test_commitments_are_moved_and_removed(login, demo, db):
    web = login(COORDINATOR)
    promise = promise_of(db, "ekbacka")
    ids = [c.id for c in promise.commitments]

    response = web.post(
        f"{url_of(promise)}/ataganden/{ids[2]}/flytta",
        {"riktning": "upp"},
        form_page=url_of(promise),
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#atagande-{ids[2]}")
    assert [c.id for c in promise_of(db, "ekbacka").commitments] == [ids[0], ids[2], ids[1], ids[3]]
    assert "Åtagandet är nu nummer 2." in text_of(web.get(url_of(promise)))
    web.post(
        f"{url_of(promise)}/ataganden/{ids[0]}/flytta",
        {"riktning": "upp"},
        form_page=url_of(promise),
    )
    assert [c.id for c in promise_of(db, "ekbacka").commitments] == [ids[0], ids[2], ids[1], ids[3]]

    delete_url = f"{url_of(promise)}/ataganden/{ids[2]}/ta-bort"
    question = text_of(web.get(delete_url))
    assert "Ta bort åtagande 2?" in question
    response = web.post(delete_url, {})
    assert "Åtagande 2 är borttaget." in text_of(web.get(response.headers["Location"]))
    remaining = promise_of(db, "ekbacka").commitments
    assert [c.id for c in remaining] == [ids[0], ids[1], ids[3]]
    assert [c.position for c in remaining] == [0, 1, 2]
    assert actions(db)[-2:] == ["commitments_reordered", "commitment_deleted"]


def test_a_promise_is_deleted_with_its_commitments(login, demo, db):
    web = login(COORDINATOR)
    promise = promise_of(db, "ekbacka")
    assert "Medborgarlöftet Medborgarlöfte för Ekbacka" in text_of(
        web.get(f"{url_of(promise)}/ta-bort")
    )

    response = web.post(f"{url_of(promise)}/ta-bort", {})

    assert response.headers["Location"].endswith(EKBACKA)
    page = text_of(web.get(EKBACKA))
    assert "är borttaget" in page and "Kommunen har inget medborgarlöfte i estapp ännu." in page
    assert promise_of(db, "ekbacka") is None
    assert count(db, Commitment) == len(promise_of(db, "sjovik").commitments)
    assert actions(db)[-1] == "promise_deleted"


# --- bad input -------------------------------------------------------------------------------


def test_a_bad_promise_keeps_what_was_typed_and_says_why_at_the_field(login, demo, db):
    web = login(COORDINATOR)
    promises_before = count(db, Promise)

    response = web.post(f"{EKBACKA}/nytt", promise_form(title="  ", period_end="2029"))

    assert response.status_code == 400
    assert field_error(response, "title") == "Skriv medborgarlöftets rubrik."
    assert field_error(response, "period_end") == (
        "Ett medborgarlöfte gäller ett eller två år: sista året ska vara 2027 eller 2028."
    )
    page = response.get_data(as_text=True)
    assert 'value="2029"' in page and 'value="Stök vid Resecentrum"' in page
    assert "Grupper samlas sent på kvällen.</textarea>" in page
    assert "Kommunen och polisen lovar tryggare kvällar i centrum.</textarea>" in page
    assert 'href="#period_end"' in page  # the error summary links to the field
    assert count(db, Promise) == promises_before

    response = web.post(f"{EKBACKA}/nytt", promise_form(period_start="tjugo", period_end="2026"))
    assert (
        field_error(response, "period_start") == "Skriv året med fyra siffror, till exempel 2025."
    )
    assert 'value="tjugo"' in response.get_data(as_text=True)
    response = web.post(f"{EKBACKA}/nytt", promise_form(period_start="2027", period_end="2026"))
    assert field_error(response, "period_end") == "Sista året kan inte vara före det första (2027)."
    response = web.post(f"{EKBACKA}/nytt", promise_form(signed_on="10 dec"))
    assert (
        field_error(response, "signed_on")
        == "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-01."
    )
    assert count(db, Promise) == promises_before


def test_a_bad_commitment_keeps_what_was_typed_and_says_why_at_the_field(login, demo, db):
    web = login(COORDINATOR)
    promise = promise_of(db, "ekbacka")
    before = count(db, Commitment)

    response = web.post(
        f"{url_of(promise)}/ataganden/nytt",
        commitment_form(
            text="", responsible="ovriga", responsible_detail="", indicator_target="mycket"
        ),
    )

    assert response.status_code == 400
    assert field_error(response, "text") == "Skriv vad ni lovar, till exempel ”Vi ska …”."
    assert field_error(response, "responsible_detail") == (
        "Skriv vilka de andra ansvariga är, till exempel Räddningstjänsten."
    )
    assert field_error(response, "indicator_target") == (
        "Skriv målvärdet som ett tal, till exempel 75 eller 12,5."
    )
    page = response.get_data(as_text=True)
    assert is_checked(page, "responsible", "ovriga") and 'value="mycket"' in page
    assert "Två kvällar i veckan</textarea>" in page
    assert 'value="Andel trygga vid Resecentrum"' in page

    response = web.post(
        f"{url_of(promise)}/ataganden/nytt",
        commitment_form(responsible=[], indicator_name=""),
    )
    assert field_error(response, "responsible") == (
        "Välj vem som ansvarar: kommunen, polisen eller andra."
    )
    assert field_error(response, "indicator_name") == (
        "Ge indikatorn ett namn, eller töm indikatorns fält."
    )
    assert count(db, Commitment) == before


def test_a_problem_area_or_commitment_of_another_promise_is_refused(login, demo, db):
    web = login(COORDINATOR)
    promise, theirs = promise_of(db, "ekbacka"), promise_of(db, "sjovik")
    their_area = theirs.problem_areas[0].id
    mine = promise.commitments[0]

    response = web.post(
        f"{url_of(promise)}/ataganden/{mine.id}/andra",
        commitment_form(problem_areas=[str(their_area)]),
    )
    assert response.status_code == 400
    assert field_error(response, "problem_areas") == "Välj ett av alternativen i listan."

    response = web.post(
        f"{url_of(promise)}/andra",
        promise_form(**{"problem_areas-0-id": str(their_area)}),
    )
    assert response.status_code == 400
    assert field_error(response, "problem_areas-0-name") == (
        "Problemområdet hör inte till det här medborgarlöftet. Ladda om sidan och försök igen."
    )
    assert 'value="Tryggare kvällar i Ekbacka"' in response.get_data(as_text=True)

    their_commitment = theirs.commitments[0].id
    for path in ("andra", "ta-bort", "flytta"):
        url = f"{url_of(promise)}/ataganden/{their_commitment}/{path}"
        response = web.post(url, commitment_form(riktning="ner"), form_page=url_of(promise))
        assert response.status_code == 404, path

    assert promise_of(db, "ekbacka").title == promise.title
    assert fresh(db).get(Commitment, their_commitment).text == theirs.commitments[0].text
    assert [c.id for c in promise_of(db, "sjovik").commitments] == [
        c.id for c in theirs.commitments
    ]
    assert "promise_updated" not in actions(db) and "commitment_updated" not in actions(db)


# --- who may read and write ------------------------------------------------------------------


def test_the_viewer_reads_the_promise_but_cannot_change_it(login, demo, db):
    web = login(VIEWER)
    promise = promise_of(db, "ekbacka")

    start = web.get("/")
    assert '<a href="/medborgarloften">Medborgarlöfte</a>' in start.get_data(as_text=True)
    assert web.get("/medborgarloften").headers["Location"].endswith(EKBACKA)
    listing = text_of(web.get(EKBACKA))
    assert promise.title in listing and "Nytt medborgarlöfte" not in listing
    page = web.get(url_of(promise))
    assert page.status_code == 200
    shown = text_of(page)
    assert "Åtagande 4" in shown and "Omfattning Minst två kvällar i veckan" in shown
    assert "Ändra" not in shown and "Flytta" not in shown and "Ta bort" not in shown

    for path in ("andra", "ta-bort", "ataganden/nytt"):
        assert web.get(f"{url_of(promise)}/{path}").status_code == 403, path
    assert web.post(f"{url_of(promise)}/andra", promise_form(), form_page="/").status_code == 403
    assert web.get("/medborgarloften/sjovik").status_code == 403


def test_a_reporter_reads_their_kommuns_promise_but_may_not_edit_it(login, demo, db):
    web = login(SKOLA)
    promise = promise_of(db, "ekbacka")
    commitment = promise.commitments[1]

    assert "Medborgarlöfte för Ekbacka" in text_of(web.get(url_of(promise)))
    refused = [
        web.get(f"{EKBACKA}/nytt"),
        web.post(f"{EKBACKA}/nytt", promise_form(), form_page="/"),
        web.post(f"{url_of(promise)}/andra", promise_form(), form_page="/"),
        web.post(f"{url_of(promise)}/ataganden/nytt", commitment_form(), form_page="/"),
        web.post(
            f"{url_of(promise)}/ataganden/{commitment.id}/andra", commitment_form(), form_page="/"
        ),
        web.post(
            f"{url_of(promise)}/ataganden/{commitment.id}/flytta",
            {"riktning": "upp"},
            form_page="/",
        ),
        web.post(f"{url_of(promise)}/ataganden/{commitment.id}/ta-bort", {}, form_page="/"),
        web.post(f"{url_of(promise)}/ta-bort", {}, form_page="/"),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)

    other = switch(web, SJOVIK_REPORTER, login)
    assert other.get(url_of(promise)).status_code == 403
    assert other.get(url_of(promise_of(db, "sjovik"))).status_code == 200
    assert [c.id for c in promise_of(db, "ekbacka").commitments] == [
        c.id for c in promise.commitments
    ]
    assert count(db, Promise) == 2


def test_another_kommuns_coordinator_is_refused(login, demo, db):
    web = login(SJOVIK_COORDINATOR)
    promise = promise_of(db, "ekbacka")

    assert web.get(EKBACKA).status_code == 403
    assert web.get(url_of(promise)).status_code == 403
    assert web.get(f"{url_of(promise)}/andra").status_code == 403
    assert web.post(f"{url_of(promise)}/andra", promise_form(), form_page="/").status_code == 403
    response = web.post(f"{EKBACKA}/nytt", promise_form(), form_page="/")
    assert response.status_code == 403
    assert web.get(url_of(promise_of(db, "sjovik"))).status_code == 200
    assert promise_of(db, "ekbacka").title == promise.title and count(db, Promise) == 2


def test_guessed_and_unknown_ids_are_not_found(login, demo, db):
    web = login(COORDINATOR)
    mine, theirs = promise_of(db, "ekbacka"), promise_of(db, "sjovik")

    for url in (
        f"{EKBACKA}/{theirs.id}",
        f"{EKBACKA}/{theirs.id}/andra",
        f"{EKBACKA}/{theirs.id}/ataganden/nytt",
        f"{EKBACKA}/999999",
        f"{EKBACKA}/99999999999",
        f"{url_of(mine)}/ataganden/{theirs.commitments[0].id}/andra",
        f"{url_of(mine)}/ataganden/999999/ta-bort",
        "/medborgarloften/finns-inte",
    ):
        assert web.get(url).status_code == 404, url
    response = web.post(f"{EKBACKA}/{theirs.id}/andra", promise_form(), form_page="/")
    assert response.status_code == 404
    assert promise_of(db, "sjovik").title == theirs.title


def test_a_draft_is_seen_only_by_those_who_write_it(login, demo, db):
    web = login(COORDINATOR)
    response = web.post(
        f"{EKBACKA}/nytt", promise_form(title="Utkast till nytt löfte", status="draft")
    )
    draft_url = response.headers["Location"]
    shown = text_of(web.get(draft_url))
    assert "utkast" in shown and "Utkast: bara kommunens samordnare ser medborgarlöftet." in shown

    viewer = switch(web, VIEWER, login)
    assert viewer.get(draft_url).status_code == 404
    assert "Utkast till nytt löfte" not in text_of(viewer.get(EKBACKA))

    admin = switch(viewer, ADMIN, login)
    assert admin.get(draft_url).status_code == 200
    assert (
        admin.get(f"/medborgarloften/sjovik/{promise_of(db, 'sjovik').id}/andra").status_code == 200
    )


@pytest.mark.parametrize("direction", ["", "sidled"])
def test_a_move_needs_a_direction(login, demo, db, direction):
    web = login(COORDINATOR)
    promise = promise_of(db, "ekbacka")
    url = f"{url_of(promise)}/ataganden/{promise.commitments[1].id}/flytta"
    assert web.post(url, {"riktning": direction}, form_page=url_of(promise)).status_code == 400
    assert web.get(url).status_code == 405
