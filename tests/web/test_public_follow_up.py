"""The public follow-up page: no login, switched per kommun, counts only with small ones hidden."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from estapp.models import (
    Action,
    ActionStatus,
    AuditEvent,
    Municipality,
    Organisation,
    PromiseStatus,
    User,
)
from tests.web.conftest import text_of
from tests.web.reporting_support import (
    COORDINATOR,
    POLIS,
    SJOVIK_COORDINATOR,
    VIEWER,
    fresh,
    local_today,
)
from tests.web.test_promise_progress_page import at_noon
from tests.web.test_promises import promise_of, switch

EKBACKA = "/uppfoljning/ekbacka"


def add_actions(db, commitment, *, done: int, open_: int = 0, late: int = 0) -> None:
    """``done`` actions done on time, ``late`` done after their due date, ``open_`` planned."""
    police = db.scalar(select(Organisation).where(Organisation.name.startswith("Polisen")))
    owner = db.scalar(select(User).where(User.email == POLIS))
    today = local_today()
    kinds = [("done", 0)] * done + [("late", 0)] * late + [("open", 0)] * open_
    for number, (kind, _zero) in enumerate(kinds):
        finished = today - timedelta(days=3)
        due = today + timedelta(days=4) if kind != "late" else today - timedelta(days=10)
        db.add(
            Action(
                municipality_id=commitment.promise.municipality_id,
                text=f"Hemlig åtgärdstext {commitment.id}-{number}",
                owner_organisation=police,
                owner_user=owner,
                due_on=due,
                status=ActionStatus.PLANNED if kind == "open" else ActionStatus.DONE,
                completed_at=None if kind == "open" else at_noon(finished),
                outcome="Hemligt resultat",
                commitment_id=commitment.id,
                created_at=at_noon(today - timedelta(days=20)),
            )
        )
    db.commit()


def set_public(db, slug: str, enabled: bool) -> None:
    fresh(db)
    db.scalar(select(Municipality).where(Municipality.slug == slug)).public_follow_up = enabled
    db.commit()


def commitment_text(page: str, number: int) -> str:
    start = page.find(f"Åtagande {number} ")
    end = page.find(f"Åtagande {number + 1} ", start)
    return page[start : end if end > 0 else page.find("Så läser du sidan")]


def test_anyone_reads_the_progress_of_each_commitment_without_logging_in(client, demo, db):
    promise = promise_of(db, "ekbacka")
    first, second = promise.commitments[:2]
    add_actions(db, first, done=4, late=1, open_=1)  # 6 actions, 5 done, 4 of 5 on time
    add_actions(db, second, done=1, open_=1)  # small counts
    fresh(db)
    promise = promise_of(db, "ekbacka")
    promise.commitments[0].public_note = "Vi har börjat med kvällsvandringar."
    db.commit()

    response = client.get(EKBACKA)

    assert response.status_code == 200
    page = text_of(response)
    assert "Medborgarlöften i Ekbacka: så går det" in page
    assert promise.title in page
    one = commitment_text(page, 1)
    assert first.text in one
    assert "Beslutade åtgärder: 6. Genomförda: 5." in one
    assert "Av de genomförda blev 80 procent klara i tid." in one
    assert "Ansvarig: Kommunen och polisen" in one
    assert first.responsible_detail and first.responsible_detail not in page  # free text
    assert "Arbetet ligger efter plan." not in one and "Arbetet går enligt plan." in one
    assert "Vi har börjat med kvällsvandringar." in one
    two = commitment_text(page, 2)
    assert "Beslutade åtgärder: färre än 3. Genomförda: färre än 3." in two
    assert "i tid" not in two  # one done action says nothing fit to publish
    three = commitment_text(page, 3)
    assert "Inga åtgärder är beslutade ännu." in three
    assert "Inget nytt har hänt de senaste åtta veckorna." in three
    assert "Hela löftet" not in page  # a sum would give the hidden counts away

    html = response.get_data(as_text=True)
    for secret in ("Hemlig åtgärdstext", "Hemligt resultat", "lokalpolisområde", "Maria Lind", "@"):
        assert secret not in html, secret
    assert "Logga ut" not in html


def test_drafts_are_never_shown(client, demo, db):
    promise = promise_of(db, "ekbacka")
    promise.status = PromiseStatus.DRAFT
    db.commit()

    page = text_of(client.get(EKBACKA))

    assert promise.title not in page
    assert "Kommunen har inget medborgarlöfte att visa ännu." in page


def test_a_kommun_that_has_not_turned_the_page_on_is_not_found(client, demo, db):
    assert client.get("/uppfoljning/sjovik").status_code == 404
    assert client.get("/uppfoljning/finns-inte").status_code == 404
    listing = text_of(client.get("/uppfoljning"))
    assert "Ekbacka" in listing and "Sjövik" not in listing


def test_the_coordinator_turns_the_page_off_and_on_and_it_is_audited(login, demo, db, client):
    web = login(COORDINATOR)
    settings = "/medborgarloften/ekbacka/offentlig-sida"
    assert "Sidan är på" in text_of(web.get(settings))

    off = web.post(settings, {}, follow_redirects=True)
    assert "Den offentliga sidan är avstängd." in text_of(off)
    assert web.post("/logga-ut", {}, form_page="/").status_code == 302
    assert client.get(EKBACKA).status_code == 404

    web = login(COORDINATOR)
    on = web.post(settings, {"enabled": "y"}, follow_redirects=True)
    assert "Den offentliga sidan är på." in text_of(on)
    assert "/uppfoljning/ekbacka" in text_of(on)
    fresh(db)
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "public_follow_up_changed")
    ).all()
    assert [event.details for event in events] == [{"enabled": False}, {"enabled": True}]


def test_without_a_csrf_token_nothing_changes(login, demo, db):
    web = login(COORDINATOR)

    response = web.client.post("/medborgarloften/ekbacka/offentlig-sida", data={})

    assert response.status_code == 400
    fresh(db)
    assert db.scalar(select(Municipality.public_follow_up).where(Municipality.slug == "ekbacka"))


def test_only_the_kommuns_coordinators_switch_the_page(login, demo, db):
    settings = "/medborgarloften/ekbacka/offentlig-sida"
    web = login(VIEWER)
    assert web.get(settings).status_code == 403
    web = switch(web, POLIS, login)
    assert web.get(settings).status_code == 403
    web = switch(web, SJOVIK_COORDINATOR, login)
    assert web.get(settings).status_code == 403
    assert web.client.post(settings, data={}).status_code in (400, 403)
    set_public(db, "ekbacka", True)
    fresh(db)
    assert db.scalar(select(Municipality.public_follow_up).where(Municipality.slug == "ekbacka"))


def test_the_login_page_leads_citizens_to_the_public_pages(client, demo):
    page = client.get("/logga-in").get_data(as_text=True)
    assert 'href="/uppfoljning"' in page
    listing = client.get("/uppfoljning").get_data(as_text=True)
    assert 'href="/uppfoljning/ekbacka"' in listing
