"""Progress of a commitment from its actions: counts, on-time share, latest activity, status."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from estapp.models import ActionStatus
from estapp.promises.progress import (
    INACTIVE_AFTER,
    ActionFacts,
    ProgressStatus,
    progress_of,
    status_of,
)

TODAY = date(2026, 11, 23)  # a Monday
PLANNED, IN_PROGRESS = ActionStatus.PLANNED, ActionStatus.IN_PROGRESS
DONE, CANCELLED = ActionStatus.DONE, ActionStatus.CANCELLED


def act(
    status: ActionStatus,
    due: date,
    created: date = date(2026, 11, 2),
    completed: date | None = None,
    updated: date | None = None,
) -> ActionFacts:
    return ActionFacts(
        status=status,
        due_on=due,
        created_on=created,
        completed_on=completed,
        last_update_on=updated,
    )


def test_no_actions_is_no_activity():
    progress = progress_of([], TODAY)
    assert (progress.done, progress.total) == (0, 0)
    assert progress.on_time_share is None and progress.on_time_percent is None
    assert progress.latest_activity is None
    assert progress.status == ProgressStatus.INACTIVE


def test_cancelled_actions_are_not_counted_and_alone_are_no_activity():
    progress = progress_of(
        [act(CANCELLED, date(2026, 11, 30), updated=date(2026, 11, 20))] * 2, TODAY
    )
    assert (progress.done, progress.total) == (0, 0)
    assert progress.latest_activity == date(2026, 11, 20)  # their activity is still shown
    assert progress.status == ProgressStatus.INACTIVE


def test_cancelled_actions_leave_the_total_but_not_the_others():
    progress = progress_of(
        [
            act(DONE, date(2026, 11, 20), completed=date(2026, 11, 19)),
            act(PLANNED, date(2026, 12, 1)),
            act(CANCELLED, date(2026, 11, 1)),  # overdue, but cancelled: not behind
        ],
        TODAY,
    )
    assert (progress.done, progress.total) == (1, 2)
    assert progress.on_time_share == 1.0 and progress.on_time_percent == 100
    assert progress.overdue == 0
    assert progress.status == ProgressStatus.ON_TRACK


def test_an_overdue_open_action_puts_the_commitment_behind():
    progress = progress_of(
        [
            act(DONE, date(2026, 11, 20), completed=date(2026, 11, 18)),
            act(IN_PROGRESS, date(2026, 11, 22)),  # yesterday
        ],
        TODAY,
    )
    assert progress.overdue == 1 and progress.on_time_share == 1.0
    assert progress.status == ProgressStatus.BEHIND


def test_an_open_action_due_today_is_not_overdue():
    progress = progress_of([act(PLANNED, TODAY)], TODAY)
    assert progress.overdue == 0
    assert progress.status == ProgressStatus.ON_TRACK


def test_exactly_half_on_time_is_on_track_and_less_is_behind():
    on_time = act(DONE, date(2026, 11, 10), completed=date(2026, 11, 10))  # on the due date
    late = act(DONE, date(2026, 11, 10), completed=date(2026, 11, 11))
    half = progress_of([on_time, late], TODAY)
    assert (half.done, half.total, half.on_time_share, half.on_time_percent) == (2, 2, 0.5, 50)
    assert half.status == ProgressStatus.ON_TRACK

    third = progress_of([on_time, late, late], TODAY)
    assert third.on_time_percent == 33
    assert third.status == ProgressStatus.BEHIND


def test_latest_activity_is_the_latest_of_created_updated_and_completed():
    progress = progress_of(
        [
            act(PLANNED, date(2026, 12, 20), created=date(2026, 10, 1), updated=date(2026, 11, 3)),
            act(DONE, date(2026, 11, 30), created=date(2026, 10, 5), completed=date(2026, 11, 12)),
            act(PLANNED, date(2026, 12, 20), created=date(2026, 11, 6)),
        ],
        TODAY,
    )
    assert progress.latest_activity == date(2026, 11, 12)


@pytest.mark.parametrize(
    ("days_ago", "expected"),
    [(56, ProgressStatus.ON_TRACK), (57, ProgressStatus.INACTIVE)],
)
def test_activity_exactly_eight_weeks_ago_counts_a_day_more_does_not(days_ago, expected):
    assert timedelta(weeks=8) == INACTIVE_AFTER
    day = TODAY - timedelta(days=days_ago)
    progress = progress_of([act(PLANNED, date(2027, 3, 1), created=day)], TODAY)
    assert progress.latest_activity == day
    assert progress.status == expected


def test_no_activity_wins_over_behind():
    long_ago = TODAY - timedelta(days=100)
    progress = progress_of([act(PLANNED, long_ago, created=long_ago)], TODAY)
    assert progress.overdue == 1
    assert progress.status == ProgressStatus.INACTIVE


def test_status_rules_directly():
    recent = TODAY - timedelta(days=3)
    kw = {"today": TODAY, "latest_activity": recent}
    assert status_of(total=0, overdue=0, on_time_share=None, **kw) == ProgressStatus.INACTIVE
    assert status_of(total=2, overdue=0, on_time_share=None, **kw) == ProgressStatus.ON_TRACK
    assert status_of(total=2, overdue=1, on_time_share=1.0, **kw) == ProgressStatus.BEHIND
    assert status_of(total=2, overdue=0, on_time_share=0.49, **kw) == ProgressStatus.BEHIND
    assert status_of(total=2, overdue=0, on_time_share=0.5, **kw) == ProgressStatus.ON_TRACK
    assert (
        status_of(total=2, overdue=0, on_time_share=1.0, today=TODAY, latest_activity=None)
        == ProgressStatus.INACTIVE
    )
