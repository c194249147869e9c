"""The dashboard's months and the public page's sentences, from action facts."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from flask import Flask
from flask_babel import Babel

from estapp.models import ActionStatus
from estapp.promises.overview import month_rows
from estapp.promises.progress import ActionFacts, progress_of
from estapp.promises.public import public_progress

TODAY = date(2026, 11, 23)


def promise(start: int, end: int) -> SimpleNamespace:
    return SimpleNamespace(period_start=start, period_end=end)


def fact(created: date, done: date | None = None, due: date = TODAY) -> ActionFacts:
    status = ActionStatus.DONE if done else ActionStatus.PLANNED
    return ActionFacts(status=status, due_on=due, created_on=created, completed_on=done)


def test_months_run_from_the_start_of_the_period_to_today():
    facts = [fact(date(2026, 2, 3), done=date(2026, 3, 1)), fact(date(2026, 2, 20))]

    months = month_rows(promise(2026, 2027), facts, TODAY)

    assert [m.month for m in months] == [date(2026, m, 1) for m in range(1, 12)]
    assert [(m.decided, m.done) for m in months[1:3]] == [(2, 0), (0, 1)]
    assert sum(m.decided for m in months) == 2


def test_an_ended_promise_shows_its_whole_period_and_a_future_one_none():
    assert len(month_rows(promise(2024, 2025), [], TODAY)) == 24
    assert month_rows(promise(2027, 2027), [], TODAY) == ()


@pytest.fixture
def swedish():
    app = Flask(__name__)
    Babel(app, locale_selector=lambda: "sv")
    with app.test_request_context():
        yield


@pytest.mark.parametrize(
    ("done", "open_", "figures", "on_time"),
    [
        (0, 0, "Inga åtgärder är beslutade ännu.", ""),
        (0, 4, "Beslutade åtgärder: 4. Ingen av dem är genomförd ännu.", ""),
        (1, 1, "Beslutade åtgärder: färre än 3. Genomförda: färre än 3.", ""),
        (2, 5, "Beslutade åtgärder: 7. Genomförda: färre än 3.", ""),
        (3, 0, "Beslutade åtgärder: 3. Genomförda: 3.", "Av de genomförda blev 100 procent"),
    ],
)
def test_the_public_sentences_hide_small_counts(swedish, done, open_, figures, on_time):
    facts = [fact(date(2026, 11, 1), done=date(2026, 11, 2))] * done
    facts += [fact(date(2026, 11, 1), due=date(2026, 12, 24))] * open_

    told = public_progress(progress_of(facts, TODAY), threshold=3)

    assert told.figures == figures
    assert told.on_time.startswith(on_time)
    assert bool(told.on_time) == bool(on_time)
    assert told.latest == ("Senast hände något i november 2026." if facts else "")
