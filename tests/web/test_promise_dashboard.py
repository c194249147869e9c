"""The promise dashboard (counts for everyone who reads the promise) and a commitment's timeline
(the kommun's coordinators)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from babel.dates import format_date
from sqlalchemy import select

from estapp.models import Action, ActionStatus, ActionUpdate, Meeting, Organisation, User
from tests.web.conftest import text_of
from tests.web.reporting_support import (
    COORDINATOR,
    POLIS,
    SJOVIK_COORDINATOR,
    VIEWER,
    local_today,
    this_week,
)
from tests.web.test_promise_progress_page import at_noon
from tests.web.test_promises import promise_of, switch, url_of


def row_of(response, commitment_id: int) -> str:
    page = response.get_data(as_text=True)
    match = re.search(rf'<tr id="oversikt-{commitment_id}">(.*?)</tr>', page, re.S)
    assert match, f"no row for commitment {commitment_id}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def police(db) -> Organisation:
    return db.scalar(select(Organisation).where(Organisation.name.startswith("Polisen")))


def test_the_dashboard_counts_every_commitment_and_the_whole_promise(login, demo, db):
    promise = promise_of(db, "ekbacka")
    first, second = promise.commitments[:2]
    today = local_today()
    decided = today - timedelta(days=30)
    for due, status, finished in (
        (today + timedelta(days=5), ActionStatus.DONE, today - timedelta(days=2)),  # on time
        (today - timedelta(days=9), ActionStatus.DONE, today - timedelta(days=1)),  # late
        (today - timedelta(days=4), ActionStatus.PLANNED, None),  # overdue
    ):
        db.add(
            Action(
                municipality_id=promise.municipality_id,
                text="Vandring",
                owner_organisation=police(db),
                due_on=due,
                status=status,
                completed_at=at_noon(finished) if finished else None,
                commitment_id=first.id,
                created_at=at_noon(decided),
            )
        )
    db.add(
        Action(
            municipality_id=promise.municipality_id,
            text="Möte",
            owner_organisation=police(db),
            due_on=today + timedelta(days=10),
            commitment_id=second.id,
            created_at=at_noon(today - timedelta(days=1)),
        )
    )
    db.commit()

    web = login(VIEWER)
    response = web.get(f"{url_of(promise)}/oversikt")

    assert response.status_code == 200
    page = text_of(response)
    commitments = len(promise.commitments)
    assert f"{commitments} åtaganden" in page
    assert "1 i fas" in page and "1 efter" in page
    assert f"{commitments - 2} ingen aktivitet" in page
    assert "2 / 4 åtgärder genomförda" in page
    assert "50 % genomförda i tid" in page
    assert "1 försenad öppen åtgärd" in page
    yesterday = format_date(today - timedelta(days=1), "d MMM yyyy", locale="sv")
    assert row_of(response, first.id).endswith(f"efter 2 / 3 50 % 1 {yesterday}")
    assert row_of(response, second.id).endswith(f"i fas 0 / 1 – 0 {yesterday}")
    # Months: the month of `decided` has 3 decided actions (and the current month the 4th).
    month = format_date(decided, "LLLL yyyy", locale="sv")
    if decided.month != today.month:
        assert re.search(rf"{month} 3 0", page), page
    # Counts only for readers, no texts, no timeline links.
    assert "Vandring" not in page and "Tidslinje" not in page


def test_the_timeline_tells_what_was_decided_and_what_happened_newest_first(login, demo, db):
    promise = promise_of(db, "ekbacka")
    commitment = promise.commitments[1]
    coordinator = db.scalar(select(User).where(User.email == COORDINATOR))
    today = local_today()
    week = this_week()
    meeting = Meeting(
        municipality_id=promise.municipality_id, week_start=week.monday, held_on=week.monday
    )
    first_day = today - timedelta(days=40)
    followed = today - timedelta(days=10)
    action = Action(
        municipality_id=promise.municipality_id,
        meeting=meeting,
        text="Extra kvällspatrull vid Resecentrum",
        owner_organisation=police(db),
        due_on=today - timedelta(days=5),
        status=ActionStatus.DONE,
        completed_at=at_noon(followed),
        outcome="Lugnt hela helgen.",
        commitment_id=commitment.id,
        created_at=at_noon(first_day),
        updates=[
            ActionUpdate(at=at_noon(first_day), new_status=ActionStatus.PLANNED),
            ActionUpdate(
                at=at_noon(today - timedelta(days=20)),
                by=coordinator,
                old_status=ActionStatus.PLANNED,
                new_status=ActionStatus.PLANNED,
                note="Bemanningen klar.",
            ),
            ActionUpdate(
                at=at_noon(followed),
                by=coordinator,
                old_status=ActionStatus.PLANNED,
                new_status=ActionStatus.DONE,
                outcome="Lugnt hela helgen.",
            ),
        ],
    )
    db.add(action)
    db.commit()

    web = login(COORDINATOR)
    url = f"{url_of(promise)}/ataganden/{commitment.id}/tidslinje"
    response = web.get(url)

    assert response.status_code == 200
    page = text_of(response)
    assert "Tidslinje för åtagande 2" in page
    assert commitment.text in page
    assert "1 åtgärd är kopplad till åtagandet." in page

    def day(d: date) -> str:
        return format_date(d, "d MMMM", locale="sv")

    done_at = page.index(f"{day(followed)} Status ändrad till genomförd: Extra kvällspatrull")
    noted_at = page.index(f"{day(today - timedelta(days=20))} Uppföljd: Extra kvällspatrull")
    decided_at = page.index(
        f"{day(first_day)} Beslutad på EST-mötet vecka {week.week}: Extra kvällspatrull"
    )
    assert done_at < noted_at < decided_at  # newest first
    assert "Resultat: Lugnt hela helgen." in page
    assert "Anteckning: Bemanningen klar." in page
    assert "· av Samordnare Ekbacka" in page[done_at:noted_at]

    # The promise page and the dashboard lead there.
    assert url in web.get(url_of(promise)).get_data(as_text=True)
    assert url in web.get(f"{url_of(promise)}/oversikt").get_data(as_text=True)


def test_the_timeline_is_for_the_kommuns_coordinators_only(login, demo, db):
    promise = promise_of(db, "ekbacka")
    url = f"{url_of(promise)}/ataganden/{promise.commitments[0].id}/tidslinje"
    web = login(VIEWER)
    assert web.get(url).status_code == 403
    web = switch(web, POLIS, login)
    assert web.get(url).status_code == 403
    web = switch(web, SJOVIK_COORDINATOR, login)
    assert web.get(url).status_code == 403
    assert web.get(f"{url_of(promise)}/oversikt").status_code == 403
    sjovik = promise_of(db, "sjovik")
    web = switch(web, COORDINATOR, login)
    # A commitment of another kommun's promise, reached through this kommun's URL.
    assert (
        web.get(f"{url_of(promise)}/ataganden/{sjovik.commitments[0].id}/tidslinje").status_code
        == 404
    )
    assert web.get(f"/medborgarloften/ekbacka/{sjovik.id}/oversikt").status_code == 404
