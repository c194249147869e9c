"""The busiest pages run as many SQL statements for a large kommun as for a small one.

Two synthetic kommuner share the database: a small one (5 partners, few observations, 5
actions, 2 commitments) and one ten times larger. Each page is requested once to warm up, then
once more while every statement sent to the database is counted; the counts must be equal, so
a query per action, observation, partner, area or place (an N+1) fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from estapp.db import utcnow
from estapp.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Commitment,
    Meeting,
    Municipality,
    Organisation,
    Promise,
    PromiseStatus,
)
from estapp.seed.synthetic import SyntheticOptions, seed_synthetic
from estapp.weeks import IsoWeek
from tests.conftest import CsrfClient, log_in

SMALL = {"partners": 5, "per_week": 2, "actions": 5, "commitments": 2}
LARGE = {"partners": 50, "per_week": 4, "actions": 50, "commitments": 20}


def _add_meeting(db, municipality: Municipality, size: dict, week: IsoWeek, now) -> None:
    """A promise in force, open actions (some decided and some followed up in the meeting)."""
    today = now.date()
    partners = list(
        db.scalars(
            select(Organisation)
            .where(Organisation.municipalities.any(Municipality.id == municipality.id))
            .order_by(Organisation.id)
        )
    )
    promise = Promise(
        municipality_id=municipality.id,
        title="Tryggare tillsammans",
        period_start=today.year,
        period_end=today.year,
        status=PromiseStatus.ACTIVE,
    )
    promise.commitments = [
        Commitment(position=n, text=f"Åtagande {n + 1}") for n in range(size["commitments"])
    ]
    meeting = Meeting(municipality_id=municipality.id, week_start=week.monday, held_on=today)
    db.add_all([promise, meeting])
    db.flush()
    places = [place for area in municipality.areas for place in area.places]
    for number in range(size["actions"]):
        in_meeting = number % 2 == 0
        action = Action(
            municipality_id=municipality.id,
            meeting_id=meeting.id if in_meeting else None,
            text=f"Åtgärd {number + 1}",
            owner_organisation=partners[number % len(partners)],
            due_on=today + timedelta(days=number - size["actions"] // 2),
            place=places[number % len(places)],
            commitment=promise.commitments[number % len(promise.commitments)],
            status=ActionStatus.IN_PROGRESS if number % 3 == 0 else ActionStatus.PLANNED,
            created_at=now,
            updated_at=now,
        )
        action.updates.append(
            ActionUpdate(at=now, old_status=None, new_status=ActionStatus.PLANNED)
        )
        if number % 3 == 0:
            action.updates.append(
                ActionUpdate(
                    meeting_id=meeting.id,
                    at=now,
                    old_status=ActionStatus.PLANNED,
                    new_status=ActionStatus.IN_PROGRESS,
                    note="Påbörjad.",
                )
            )
        db.add(action)
    db.flush()


@pytest.fixture
def kommuner(db, settings):
    """Slugs of the small and the large kommun, each with last week's lägesbild and meeting."""
    now = utcnow()
    week = IsoWeek.containing(now, settings.tz).shift(-1)
    slugs = {}
    for name, size in (("small", SMALL), ("large", LARGE)):
        options = SyntheticOptions(1, size["partners"], 3, size["per_week"], seed=7)
        (kommun,) = seed_synthetic(db, settings, options, now=now, allow_existing=True)
        with db.begin():
            municipality = db.scalar(select(Municipality).where(Municipality.slug == kommun.slug))
            _add_meeting(db, municipality, size, week, now)
        slugs[name] = kommun
    return slugs, week


@contextmanager
def counted(app) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(connection, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    engine = app.extensions["estapp.engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _statements(app, kommun, path: str) -> tuple[int, str]:
    """Log in as the kommun's coordinator, warm the page up, and count one request's SQL."""
    web = CsrfClient(app.test_client())
    assert log_in(web, kommun.coordinator_email).status_code == 302
    assert web.get(path).status_code == 200
    with counted(app) as statements:
        response = web.get(path)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


@pytest.mark.parametrize(
    "page",
    ["/mote/{slug}/{week}", "/lagesbild/{slug}/{week}", "/samordning/{slug}/status?vecka={week}"],
    ids=["meeting", "lagesbild", "status-board"],
)
def test_a_page_runs_as_many_queries_for_a_large_kommun_as_for_a_small(app, kommuner, page):
    slugs, week = kommuner
    small, small_html = _statements(
        app, slugs["small"], page.format(slug=slugs["small"].slug, week=week)
    )
    large, large_html = _statements(
        app, slugs["large"], page.format(slug=slugs["large"].slug, week=week)
    )
    # The large kommun's page really shows more: otherwise equal counts would prove nothing.
    assert len(large_html) > len(small_html) * 1.3
    assert large == small, f"{small} statements for the small kommun, {large} for the large"


def test_an_actions_page_in_the_meeting_runs_a_few_queries_whatever_the_kommuns_size(
    app, db, kommuner
):
    """The page of one action (its card and follow-up form) reads that action, not the others."""
    slugs, week = kommuner
    counts = {}
    for size in ("small", "large"):
        kommun = slugs[size]
        action_id = db.scalar(
            select(Action.id)
            .join(Municipality)
            .where(Municipality.slug == kommun.slug, Action.place_id.is_not(None))
            .order_by(Action.id)
            .limit(1)
        )
        path = f"/mote/{kommun.slug}/{week}/atgard/{action_id}"
        counts[size], html = _statements(app, kommun, path)
        assert "Spara uppföljningen" in html
    assert counts["small"] == counts["large"] <= 8, counts
