"""A commitment's year counted from its actions' history, as it stood on a given day."""

from __future__ import annotations

from datetime import date

from estapp.models import ActionStatus
from estapp.promises.yearly_counts import ActionRecord, as_of_day, changes_of, commitment_year

PLANNED, GOING = ActionStatus.PLANNED, ActionStatus.IN_PROGRESS
DONE, CANCELLED = ActionStatus.DONE, ActionStatus.CANCELLED


def record(created: date, due: date, *changes: tuple[date, ActionStatus], text="Vandring"):
    return ActionRecord(
        commitment_id=1,
        text=text,
        owner="Polisen",
        outcome="",
        due_on=due,
        created_on=created,
        changes=((created, PLANNED), *changes),
    )


def test_an_action_is_described_as_it_stood_that_day():
    action = record(
        date(2025, 3, 1), date(2025, 4, 1), (date(2025, 3, 20), GOING), (date(2026, 1, 5), DONE)
    )
    assert action.state_on(date(2025, 2, 28)) is None
    assert action.state_on(date(2025, 3, 1)).status == PLANNED
    on_new_years_eve = action.state_on(date(2025, 12, 31))
    assert (on_new_years_eve.status, on_new_years_eve.since) == (GOING, date(2025, 3, 20))
    assert action.state_on(date(2026, 1, 5)).status == DONE


def test_a_done_action_reopened_and_done_again_counts_from_its_last_completion():
    action = record(
        date(2025, 3, 1),
        date(2025, 12, 1),
        (date(2025, 4, 1), DONE),
        (date(2025, 5, 1), GOING),
        (date(2025, 12, 10), DONE),
        (date(2025, 12, 20), DONE),  # a note on the done action changes nothing
    )
    state = action.state_on(date(2025, 12, 31))
    assert (state.status, state.since, state.last_change) == (
        DONE,
        date(2025, 12, 10),
        date(2025, 12, 20),
    )
    year = commitment_year([action], 2025, date(2025, 12, 31))
    assert (year.done, year.done_on_time) == (1, 0)  # done after its due date
    assert year.done_actions[0].done_on == date(2025, 12, 10)


def test_the_year_counts_decided_done_open_and_cancelled_actions():
    end = date(2025, 12, 31)
    year = commitment_year(
        [
            record(date(2024, 11, 1), date(2025, 2, 1), (date(2025, 1, 20), DONE), text="B"),
            record(date(2025, 2, 1), date(2025, 3, 1), (date(2025, 2, 15), DONE), text="A"),
            record(date(2025, 6, 1), date(2025, 7, 1), (date(2025, 6, 5), CANCELLED)),
            record(date(2024, 5, 1), date(2024, 6, 1), (date(2024, 6, 5), CANCELLED)),
            record(date(2025, 11, 10), date(2026, 1, 1)),
            record(date(2026, 1, 2), date(2026, 2, 1)),  # decided after the year
        ],
        2025,
        end,
    )
    assert (year.decided, year.done, year.done_on_time, year.still_open, year.cancelled) == (
        3,
        2,
        2,
        1,
        1,
    )
    assert year.current == 3 and year.had_actions
    assert [a.text for a in year.done_actions] == ["B", "A"]  # by the day they were done
    assert year.progress.status.value == "i-fas"  # active in November, nothing overdue


def test_a_year_with_no_actions_has_no_activity():
    year = commitment_year([], 2025, date(2025, 12, 31))
    assert not year.had_actions and year.current == 0
    assert year.progress.status.value == "ingen-aktivitet"


def test_an_action_without_history_got_its_status_when_it_was_last_changed():
    assert changes_of([], status_now=PLANNED, completed_on=None, updated_on=date(2025, 5, 1)) == ()
    assert changes_of(
        [], status_now=DONE, completed_on=date(2025, 4, 1), updated_on=date(2025, 5, 1)
    ) == ((date(2025, 4, 1), DONE),)
    assert changes_of([], status_now=CANCELLED, completed_on=None, updated_on=date(2025, 5, 1)) == (
        (date(2025, 5, 1), CANCELLED),
    )
    kept = [(date(2025, 3, 1), PLANNED)]
    assert changes_of(kept, status_now=DONE, completed_on=None, updated_on=date(2025, 5, 1)) == (
        (date(2025, 3, 1), PLANNED),
    )


def test_a_year_is_described_as_of_its_last_day_or_today():
    assert as_of_day(2025, date(2026, 3, 1)) == date(2025, 12, 31)
    assert as_of_day(2026, date(2026, 3, 1)) == date(2026, 3, 1)
