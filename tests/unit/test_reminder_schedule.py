"""When reminders are due: hand-computed moments in Stockholm time, across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from estapp.distribution.reminder_schedule import (
    ReminderMoments,
    due_reminders,
    last_reminder_at,
    reminder_moments,
    swedish_moment,
)
from estapp.models import ReminderKind
from estapp.weeks import IsoWeek

TZ = ZoneInfo("Europe/Stockholm")
W47 = IsoWeek(2026, 47)  # Monday 16 – Sunday 22 November 2026 (CET, UTC+1)
W48 = IsoWeek(2026, 48)
DEFAULT = {
    "reminder_weekday": 4,
    "reminder_time": time(12, 0),
    "deadline_weekday": 0,
    "deadline_time": time(9, 0),
}


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def moments(week: IsoWeek = W47, **changes: object) -> ReminderMoments:
    return reminder_moments(week, tz=TZ, **{**DEFAULT, **changes})


def test_default_friday_noon_and_monday_nine():
    m = moments()
    assert m.first == datetime(2026, 11, 20, 12, 0, tzinfo=TZ)
    assert m.last == datetime(2026, 11, 23, 7, 0, tzinfo=TZ)
    assert m.deadline == datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
    # The same instants in UTC (CET is UTC+1 in November).
    assert (m.first, m.last, m.deadline) == (
        utc(2026, 11, 20, 11, 0),
        utc(2026, 11, 23, 6, 0),
        utc(2026, 11, 23, 8, 0),
    )


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 11, 18, 12, 0), None),  # Wednesday: too early
        (utc(2026, 11, 20, 10, 59), None),  # Friday 11.59
        (utc(2026, 11, 20, 11, 0), ReminderKind.FIRST),  # Friday 12.00
        (utc(2026, 11, 22, 20, 0), ReminderKind.FIRST),  # Sunday evening
        (utc(2026, 11, 23, 5, 59), ReminderKind.FIRST),  # Monday 06.59
        (utc(2026, 11, 23, 6, 0), ReminderKind.LAST),  # Monday 07.00
        (utc(2026, 11, 23, 7, 59, 59), ReminderKind.LAST),  # one second before the deadline
        (utc(2026, 11, 23, 8, 0), None),  # the deadline itself: too late for reminders
        (utc(2026, 11, 24, 8, 0), None),
    ],
)
def test_default_week_due_kind_over_time(now, expected):
    assert moments().due(now) is expected


def test_a_wednesday_noon_deadline_keeps_the_first_reminder_until_wednesday_morning():
    m = moments(deadline_weekday=2, deadline_time=time(12, 0))
    assert m.deadline == datetime(2026, 11, 25, 12, 0, tzinfo=TZ)
    assert m.last == datetime(2026, 11, 25, 7, 0, tzinfo=TZ)
    assert m.due(utc(2026, 11, 23, 10, 0)) is ReminderKind.FIRST  # Monday 11.00
    assert m.due(utc(2026, 11, 24, 23, 0)) is ReminderKind.FIRST  # Wednesday 00.00
    assert m.due(utc(2026, 11, 25, 6, 0)) is ReminderKind.LAST  # Wednesday 07.00
    assert m.due(utc(2026, 11, 25, 11, 0)) is None  # Wednesday 12.00


def test_a_deadline_at_six_gets_its_last_reminder_at_midnight():
    m = moments(deadline_time=time(6, 0))
    assert m.last == datetime(2026, 11, 23, 0, 0, tzinfo=TZ) == utc(2026, 11, 22, 23, 0)
    assert m.deadline == utc(2026, 11, 23, 5, 0)
    assert m.due(utc(2026, 11, 22, 22, 59)) is ReminderKind.FIRST  # Sunday 23.59
    assert m.due(utc(2026, 11, 22, 23, 0)) is ReminderKind.LAST  # Monday 00.00
    assert m.due(utc(2026, 11, 23, 4, 59)) is ReminderKind.LAST  # Monday 05.59
    assert m.due(utc(2026, 11, 23, 5, 0)) is None


@pytest.mark.parametrize(
    ("deadline", "last"),
    [
        (time(7, 0), time(0, 0)),  # 07.00 or earlier: midnight
        (time(7, 1), time(7, 0)),
        (time(9, 0), time(7, 0)),
        (time(16, 30), time(7, 0)),
    ],
)
def test_the_last_reminder_is_at_seven_unless_the_deadline_is_that_early(deadline, last):
    due = datetime(2026, 11, 23, deadline.hour, deadline.minute, tzinfo=TZ)
    assert last_reminder_at(due) == datetime(2026, 11, 23, last.hour, last.minute, tzinfo=TZ)


def test_the_weekend_summer_time_ends_in_october():
    # Week 43: 19–25 October 2026; clocks go back from 03.00 CEST to 02.00 CET on Sunday 25th.
    m = moments(IsoWeek(2026, 43))
    assert m.first == utc(2026, 10, 23, 10, 0)  # Friday 12.00 CEST (UTC+2)
    assert m.last == utc(2026, 10, 26, 6, 0)  # Monday 07.00 CET (UTC+1)
    assert m.deadline == utc(2026, 10, 26, 8, 0)  # Monday 09.00 CET
    assert m.due(utc(2026, 10, 23, 9, 59)) is None
    assert m.due(utc(2026, 10, 23, 10, 0)) is ReminderKind.FIRST
    assert m.due(utc(2026, 10, 26, 5, 30)) is ReminderKind.FIRST  # 06.30 local, not 07.30
    assert m.due(utc(2026, 10, 26, 6, 0)) is ReminderKind.LAST
    assert m.due(utc(2026, 10, 26, 8, 0)) is None


def test_the_weekend_summer_time_starts_in_march():
    # Week 13: 23–29 March 2026; clocks go forward from 02.00 CET to 03.00 CEST on Sunday 29th.
    m = moments(IsoWeek(2026, 13))
    assert m.first == utc(2026, 3, 27, 11, 0)  # Friday 12.00 CET
    assert m.last == utc(2026, 3, 30, 5, 0)  # Monday 07.00 CEST
    assert m.deadline == utc(2026, 3, 30, 7, 0)  # Monday 09.00 CEST


def test_a_first_reminder_not_before_the_last_is_never_sent():
    odd = ReminderMoments(
        week=W47,
        first=datetime(2026, 11, 23, 8, 0, tzinfo=TZ),
        last=datetime(2026, 11, 23, 7, 0, tzinfo=TZ),
        deadline=datetime(2026, 11, 23, 9, 0, tzinfo=TZ),
    )
    assert odd.due(utc(2026, 11, 23, 7, 30)) is ReminderKind.LAST  # 08.30 local
    same = ReminderMoments(W47, odd.last, odd.last, odd.deadline)
    assert same.due(utc(2026, 11, 23, 5, 59)) is None
    assert same.due(utc(2026, 11, 23, 6, 0)) is ReminderKind.LAST


def test_a_scheduler_back_on_monday_morning_sends_only_the_last_reminder():
    due = due_reminders(utc(2026, 11, 23, 6, 30), TZ, **DEFAULT)  # Monday 07.30
    assert [(m.week, kind) for m, kind in due] == [(W47, ReminderKind.LAST)]


def test_due_reminders_looks_at_last_week_and_this_week():
    assert due_reminders(utc(2026, 11, 25, 9, 0), TZ, **DEFAULT) == []  # Wednesday
    friday = due_reminders(utc(2026, 11, 27, 11, 5), TZ, **DEFAULT)
    assert [(m.week, kind) for m, kind in friday] == [(W48, ReminderKind.FIRST)]
    # A Sunday 20.00 deadline: on Friday both last week (still open) and this week are due.
    sunday = {**DEFAULT, "deadline_weekday": 6, "deadline_time": time(20, 0)}
    both = due_reminders(utc(2026, 11, 27, 11, 5), TZ, **sunday)
    assert [(m.week, kind) for m, kind in both] == [
        (W47, ReminderKind.FIRST),
        (W48, ReminderKind.FIRST),
    ]
    sunday_morning = due_reminders(utc(2026, 11, 29, 7, 0), TZ, **sunday)  # 08.00 local
    assert [(m.week, kind) for m, kind in sunday_morning] == [
        (W47, ReminderKind.LAST),
        (W48, ReminderKind.FIRST),
    ]


def test_the_deadline_in_swedish_local_time():
    assert swedish_moment(utc(2026, 11, 23, 8, 0), TZ) == "måndag 23 november kl. 09.00"
    assert swedish_moment(utc(2026, 10, 26, 8, 0), TZ) == "måndag 26 oktober kl. 09.00"
