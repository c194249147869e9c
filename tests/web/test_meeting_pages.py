"""The EST meeting pages and "Mina åtgärder": a coordinator runs a meeting; who may do what."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from estapp.db import utcnow
from estapp.meetings.agenda import DUE_PER_PAGE
from estapp.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Commitment,
    Meeting,
    Municipality,
    Promise,
)
from tests.web.conftest import field_error, text_of
from tests.web.reporting_support import (
    ADMIN,
    COORDINATOR,
    POLIS,
    SJOVIK_COORDINATOR,
    SKOLA,
    VIEWER,
    fresh,
    local_today,
    place,
    this_week,
)
from tests.web.test_promises import switch

SJOVIK_REPORTER = "fritid@rapport.example"
LAST_WEEK = str(this_week().shift(-1))
MEETING = f"/mote/ekbacka/{LAST_WEEK}"


def organisation_id(db, prefix: str) -> int:
    from estapp.models import Organisation

    fresh(db)
    return db.scalar(select(Organisation.id).where(Organisation.name.startswith(prefix)))


def commitment(db, slug: str = "ekbacka") -> Commitment:
    fresh(db)
    return db.scalar(
        select(Commitment)
        .join(Promise)
        .where(Promise.municipality.has(slug=slug))
        .order_by(Commitment.position)
    )


def action_form(db, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "text": "Byt belysning i gångtunneln vid Norrvägen",
        "owner_organisation_id": organisation_id(db, "Ekbacka kommun, barn"),
        "owner_user_id": "",
        "due_on": (local_today() + timedelta(days=10)).isoformat(),
        "where": f"plats:{place(db, 'Gångtunneln vid Norrvägen').id}",
        "commitment_id": commitment(db).id,
        "prompted_by": "",
    }
    values.update(changes)
    return values


def count(db, model) -> int:
    fresh(db)
    return db.scalar(select(func.count()).select_from(model))


@pytest.fixture
def meeting(login, demo):
    """The coordinator has started the meeting for last week; the test client is logged in."""
    web = login(COORDINATOR)
    response = web.post("/mote/ekbacka", {"week": LAST_WEEK})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(MEETING)
    return web


def decide(web, db, **changes: object):
    return web.post(f"{MEETING}/atgard", action_form(db, **changes), form_page=MEETING)


def test_the_coordinator_starts_a_meeting_and_sees_the_agenda(meeting, db):
    page = text_of(meeting.get(MEETING))

    assert "EST-möte Ekbacka" in page
    assert "1. Lägesbilden" in page and "Ingen lägesbild är sammanställd" in page
    assert "Inga åtgärder är försenade eller ska vara klara till mötet." in page
    # The demo promise's commitments have had no action: all of them are raised.
    assert commitment(db).text[:40] in page
    # Starting the same week again opens the same meeting.
    again = meeting.post("/mote/ekbacka", {"week": LAST_WEEK})
    assert again.headers["Location"].endswith(MEETING)
    assert count(db, Meeting) == 1


def test_a_new_action_tied_to_a_commitment_shows_and_goes_in_the_minutes_draft(meeting, db):
    response = decide(meeting, db)

    assert response.status_code == 302
    page = text_of(meeting.get(response.headers["Location"]))
    assert "Åtgärden är beslutad." in page
    assert "Byt belysning i gångtunneln vid Norrvägen" in page
    fresh(db)
    action = db.scalar(select(Action))
    assert action.commitment_id == commitment(db).id
    assert action.place.name == "Gångtunneln vid Norrvägen"
    assert action.area.name == "Norrmalm"  # the place's area comes along
    assert [u.new_status for u in action.updates] == [ActionStatus.PLANNED]
    # The minutes' draft in the textarea names the new action and its owner.
    html = meeting.get(MEETING).get_data(as_text=True)
    assert "Nya åtgärder\n- Byt belysning i gångtunneln vid Norrvägen. Ansvarig: Ekbacka" in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("due_on", "yesterday", "Datumet har redan varit"),
        ("due_on", "outside", "utanför medborgarlöftets period"),
        ("owner_organisation_id", "fritid", "deltar inte i EST i Ekbacka"),
        ("commitment_id", "sjovik", "hör inte till Ekbacka"),
        ("text", "", "Skriv vad som ska göras."),
    ],
)
def test_bad_input_is_explained_at_the_field_and_nothing_is_saved(
    meeting, db, field, value, message
):
    wanted: object = value
    if value == "yesterday":
        wanted = (local_today() - timedelta(days=1)).isoformat()
    elif value == "outside":
        promise = commitment(db).promise
        wanted = f"{promise.period_end + 1}-01-15"
    elif value == "fritid":
        wanted = organisation_id(db, "Sjövik kommun, fritid")
    elif value == "sjovik":
        wanted = commitment(db, "sjovik").id

    response = decide(meeting, db, **{field: wanted})

    assert response.status_code == 400
    assert message in field_error(response, field)
    if field != "text":  # what was typed is kept for the coordinator to correct
        assert "Byt belysning i gångtunneln vid Norrvägen" in response.get_data(as_text=True)
    assert count(db, Action) == 0


def test_an_owner_person_from_another_organisation_is_refused(meeting, db):
    from estapp.models import User

    fresh(db)
    police_reporter = db.scalar(select(User).where(User.email == POLIS))
    response = decide(meeting, db, owner_user_id=police_reporter.id)

    assert response.status_code == 400
    assert "hos den ansvariga aktören" in field_error(response, "owner_user_id")
    assert count(db, Action) == 0


def test_following_up_an_action_records_its_history(meeting, db):
    decide(meeting, db)
    fresh(db)
    action = db.scalar(select(Action))
    response = meeting.post(
        f"{MEETING}/atgard/{action.id}",
        {
            f"a{action.id}-status": "genomford",
            f"a{action.id}-note": "Lamporna är bytta.",
            f"a{action.id}-outcome": "Tunneln är ljus hela natten.",
        },
        form_page=MEETING,
    )

    assert response.status_code == 302
    page = text_of(meeting.get(MEETING))
    assert "Uppföljningen är sparad." in page
    assert "Uppföljt på mötet" in page and "Genomförd – Lamporna är bytta." in page
    fresh(db)
    action = db.scalar(select(Action))
    assert action.status is ActionStatus.DONE and action.completed_at is not None
    assert [(u.old_status, u.new_status) for u in action.updates] == [
        (None, ActionStatus.PLANNED),
        (ActionStatus.PLANNED, ActionStatus.DONE),
    ]


def test_locking_the_minutes_makes_the_meeting_read_only(meeting, db):
    decide(meeting, db)
    saved = meeting.post(
        f"{MEETING}/protokoll",
        {"minutes": "Mötet gick igenom tunneln.", "decisions": "Belysningen byts.", "then": "lock"},
        form_page=MEETING,
    )
    assert saved.headers["Location"].endswith(f"{MEETING}/las")
    confirm = text_of(meeting.get(f"{MEETING}/las"))
    assert "Lås protokollet?" in confirm and "Mötet gick igenom tunneln." in confirm

    locked = meeting.post(f"{MEETING}/las", {})
    page = text_of(meeting.get(locked.headers["Location"]))
    assert "Protokollet är låst." in page
    assert "Ladda ner protokollet (PDF)" in page
    assert "Besluta åtgärden" not in page and "Spara protokollet" not in page

    # Locked minutes cannot be edited, nor actions decided in the meeting.
    refused = meeting.post(
        f"{MEETING}/protokoll", {"minutes": "Ändrat", "decisions": ""}, form_page="/"
    )
    assert refused.status_code == 302
    assert "låst och kan inte ändras" in text_of(meeting.get(refused.headers["Location"]))
    decide_again = meeting.post(f"{MEETING}/atgard", action_form(db), form_page="/")
    assert "låst och kan inte ändras" in decide_again.get_data(as_text=True)
    fresh(db)
    assert db.scalar(select(Meeting.minutes)) == "Mötet gick igenom tunneln."
    assert count(db, Action) == 1
    pdf = meeting.get(f"{MEETING}/protokoll.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


@pytest.mark.parametrize("email", [SJOVIK_COORDINATOR, SKOLA, VIEWER])
def test_only_the_kommuns_coordinators_open_its_meetings(meeting, login, email):
    web = switch(meeting, email, login)

    assert web.get("/mote/ekbacka").status_code == 403
    assert web.get(MEETING).status_code == 403
    assert web.post("/mote/ekbacka", {"week": LAST_WEEK}, form_page="/").status_code == 403


def test_an_admin_opens_every_meeting_and_a_guessed_week_is_not_found(meeting, login):
    assert meeting.get("/mote/ekbacka/2020-W01").status_code == 404
    assert meeting.get("/mote/ekbacka/vecka-1").status_code == 404
    web = switch(meeting, ADMIN, login)
    assert web.get(MEETING).status_code == 200


# --- many open actions: a page of cards, a table of the rest, a page per action --------------


def add_actions(db, days: list[int], *, kommun: str = "ekbacka") -> list[int]:
    """Open actions decided between meetings, due ``days`` from today, numbered from 1 in that
    order; returns their ids."""
    fresh(db)
    municipality = db.scalar(select(Municipality).where(Municipality.slug == kommun))
    owner_id = organisation_id(db, f"{municipality.name} kommun")
    now = utcnow()
    actions = [
        Action(
            municipality_id=municipality.id,
            text=f"Åtgärd nummer {number} i {municipality.name}",
            owner_organisation_id=owner_id,
            due_on=local_today() + timedelta(days=day),
            status=ActionStatus.PLANNED,
            created_at=now,
            updated_at=now,
        )
        for number, day in enumerate(days, start=1)
    ]
    db.add_all(actions)
    db.commit()
    return [action.id for action in actions]


def card_ids(response) -> list[int]:
    html = response.get_data(as_text=True)
    return [
        int(n) for n in re.findall(r'<article class="action-card[^"]*" id="atgard-(\d+)"', html)
    ]


def followed_up_links(response) -> list[int]:
    """The actions the table links to their own pages, in its order."""
    html = response.get_data(as_text=True)
    return [int(n) for n in re.findall(rf'<a href="{MEETING}/atgard/(\d+)" id="folj-upp-', html)]


def test_the_meeting_shows_a_page_of_overdue_actions_and_the_others_in_a_table(meeting, db):
    per_page = DUE_PER_PAGE
    overdue = add_actions(db, list(range(-40, -37 + per_page)))  # the most overdue first
    later = add_actions(db, [5, 12, 40])

    first = meeting.get(MEETING)
    page = text_of(first)
    assert f"{per_page + 3} åtgärder är försenade eller ska vara klara till mötet." in page
    assert f"Här visas 1–{per_page}, de mest försenade först." in page
    assert card_ids(first) == overdue[:per_page]
    assert "Försenad: skulle vara klar" in page
    assert f'href="{MEETING}?sida=2#att-folja-upp"' in first.get_data(as_text=True)
    # The rest are rows of a table, each with a link to follow it up on its own page.
    assert "3 öppna åtgärder ska vara klara efter mötet." in page
    assert followed_up_links(first) == later
    assert "Klart senast" in page and "Inget åtagande" in page

    second = meeting.get(f"{MEETING}?sida=2")
    assert card_ids(second) == overdue[per_page:]
    assert f"Här visas {per_page + 1}–{per_page + 3}" in text_of(second)
    assert "Sida 2 av 2" in text_of(second)
    assert f'href="{MEETING}#att-folja-upp" rel="prev"' in second.get_data(as_text=True)
    # Every open action can be reached from the meeting page.
    assert set(card_ids(first) + card_ids(second) + followed_up_links(first)) == {
        *overdue,
        *later,
    }
    # A page that does not exist shows the nearest one.
    assert card_ids(meeting.get(f"{MEETING}?sida=99")) == overdue[per_page:]
    assert card_ids(meeting.get(f"{MEETING}?sida=tre")) == overdue[:per_page]


def test_an_action_is_followed_up_on_its_own_page_and_a_mistake_is_shown_there(meeting, db):
    (action_id,) = add_actions(db, [10])
    url = f"{MEETING}/atgard/{action_id}"
    own = meeting.get(url)
    assert own.status_code == 200
    page = text_of(own)
    assert "Åtgärd nummer 1 i Ekbacka" in page and "Klart senast" in page
    assert "Spara uppföljningen" in page and "Tillbaka till mötet" in page

    unchanged = meeting.post(url, {f"a{action_id}-status": "planerad"}, form_page=url)
    assert unchanged.status_code == 400
    assert "Ändra status eller skriv en anteckning" in field_error(unchanged, f"a{action_id}-note")
    assert "Dagordning" not in text_of(unchanged)  # the action's own page, not the meeting
    too_long = meeting.post(
        url,
        {
            f"a{action_id}-status": "pagaende",
            f"a{action_id}-note": "x" * 4001,
            f"a{action_id}-outcome": "Inte sparat än.",
        },
        form_page=url,
    )
    assert too_long.status_code == 400
    assert "Skriv högst 4000 tecken." in field_error(too_long, f"a{action_id}-note")
    html = too_long.get_data(as_text=True)
    assert "Inte sparat än." in html and '<option selected value="pagaende">' in html
    assert count(db, ActionUpdate) == 0

    saved = meeting.post(
        url, {f"a{action_id}-status": "pagaende", f"a{action_id}-note": "Bokat."}, form_page=url
    )
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"{MEETING}#atgard-{action_id}")
    back = text_of(meeting.get(MEETING))
    assert "Uppföljningen är sparad." in back and "Pågående – Bokat." in back
    done = meeting.post(url, {f"a{action_id}-status": "genomford"}, form_page=url)
    assert done.headers["Location"].endswith(f"{MEETING}#uppfoljt")
    fresh(db)
    assert db.get(Action, action_id).status is ActionStatus.DONE


def test_following_up_a_card_on_a_later_page_returns_to_that_page(meeting, db):
    overdue = add_actions(db, list(range(-40, -37 + DUE_PER_PAGE)))
    action_id = overdue[-1]
    response = meeting.post(
        f"{MEETING}/atgard/{action_id}?sida=2",
        {f"a{action_id}-status": "pagaende"},
        form_page=f"{MEETING}?sida=2",
    )
    assert response.headers["Location"].endswith(f"{MEETING}?sida=2#atgard-{action_id}")


@pytest.mark.parametrize("email", [SJOVIK_COORDINATOR, SKOLA, VIEWER])
def test_only_the_kommuns_coordinators_open_an_actions_page(meeting, db, login, email):
    (action_id,) = add_actions(db, [10])
    web = switch(meeting, email, login)
    assert web.get(f"{MEETING}/atgard/{action_id}").status_code == 403


def test_another_kommuns_or_a_guessed_action_is_not_found(meeting, db, login):
    (sjovik_action,) = add_actions(db, [10], kommun="sjovik")
    for action_id in (sjovik_action, 999999, 99999999999):
        assert meeting.get(f"{MEETING}/atgard/{action_id}").status_code == 404
    response = meeting.post(
        f"{MEETING}/atgard/{sjovik_action}", {f"a{sjovik_action}-status": "installd"}
    )
    assert response.status_code == 404
    web = switch(meeting, ADMIN, login)
    (own,) = add_actions(db, [10])
    assert web.get(f"{MEETING}/atgard/{own}").status_code == 200


def test_a_locked_meetings_action_page_is_read_only(meeting, db):
    (action_id,) = add_actions(db, [10])
    url = f"{MEETING}/atgard/{action_id}"
    meeting.post(f"{MEETING}/las", {})

    page = text_of(meeting.get(url))
    assert "Mötets protokoll är låst" in page and "Spara uppföljningen" not in page
    refused = meeting.post(url, {f"a{action_id}-status": "genomford"}, form_page=url)
    assert refused.status_code == 400
    assert "låst och kan inte ändras" in text_of(refused)
    fresh(db)
    assert db.get(Action, action_id).status is ActionStatus.PLANNED


# --- Mina åtgärder ---------------------------------------------------------------------------


def test_the_owner_sees_and_follows_up_the_action_under_mina_atgarder(meeting, db, login):
    decide(meeting, db)
    fresh(db)
    action = db.scalar(select(Action))
    web = switch(meeting, SKOLA, login)

    page = text_of(web.get("/mina-atgarder"))
    assert "Byt belysning i gångtunneln vid Norrvägen" in page
    assert "Klart senast" in page and commitment(db).text[:30] in page

    response = web.post(
        f"/mina-atgarder/{action.id}",
        {f"a{action.id}-status": "pagaende", f"a{action.id}-note": "Beställt lampor."},
        form_page="/mina-atgarder",
    )
    assert response.status_code == 302
    assert "Uppföljningen är sparad." in text_of(web.get(response.headers["Location"]))
    fresh(db)
    assert db.scalar(select(Action.status)) is ActionStatus.IN_PROGRESS


def test_an_overdue_action_says_so_in_words(meeting, db, login):
    decide(meeting, db)
    fresh(db)
    action = db.scalar(select(Action))
    action.due_on = local_today() - timedelta(days=2)
    db.commit()

    page = text_of(switch(meeting, SKOLA, login).get("/mina-atgarder"))
    assert "Försenad: skulle vara klar" in page


def test_a_reporter_of_another_organisation_is_refused_and_nothing_changes(meeting, db, login):
    decide(meeting, db)
    fresh(db)
    action = db.scalar(select(Action))
    web = switch(meeting, POLIS, login)

    assert "Byt belysning" not in text_of(web.get("/mina-atgarder"))
    response = web.post(
        f"/mina-atgarder/{action.id}",
        {f"a{action.id}-status": "installd", f"a{action.id}-note": "Inte vårt."},
        form_page="/mina-atgarder",
    )
    assert response.status_code == 403
    assert "Bara den ansvariga aktörens användare" in text_of(response)
    fresh(db)
    assert db.scalar(select(Action.status)) is ActionStatus.PLANNED
    assert count(db, ActionUpdate) == 1
    assert web.post("/mina-atgarder/999999", {}, form_page="/mina-atgarder").status_code == 404


def test_another_kommuns_coordinator_cannot_follow_up_and_a_viewer_has_no_list(meeting, db, login):
    decide(meeting, db)
    fresh(db)
    action = db.scalar(select(Action))
    web = switch(meeting, SJOVIK_COORDINATOR, login)
    response = web.post(
        f"/mina-atgarder/{action.id}", {f"a{action.id}-status": "installd"}, form_page="/"
    )
    assert response.status_code == 403
    assert db.scalar(select(Action.status)) is ActionStatus.PLANNED
    web = switch(web, VIEWER, login)
    assert web.get("/mina-atgarder").status_code == 403


def test_the_coordinator_filters_the_kommuns_actions_by_status(meeting, db):
    decide(meeting, db)
    assert "Byt belysning" in text_of(meeting.get("/mina-atgarder"))
    assert "Byt belysning" not in text_of(meeting.get("/mina-atgarder?status=genomford"))
    assert "Byt belysning" in text_of(meeting.get("/mina-atgarder?status=alla"))
