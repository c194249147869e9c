"""When a kommun's reminders to partners are due: pure functions of the calendar.

For ISO week W the first reminder falls on the kommun's reminder weekday and time in week W
itself (default Friday 12:00), the last on the morning of the deadline day in week W+1; either
is only sent between its moment and the deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from estapp.models import ReminderKind
from estapp.reporting.domain import deadline_for
from estapp.weeks import IsoWeek

LAST_REMINDER_AT = time(7, 0)  # the last reminder goes out at this time on the deadline day


@dataclass(frozen=True)
class ReminderMoments:
    """When a kommun's reminders for one week are due, and the deadline that ends them."""

    week: IsoWeek
    first: datetime
    last: datetime
    deadline: datetime

    def due(self, now: datetime) -> ReminderKind | None:
        """The kind of reminder that may be sent at ``now``, if any.

        Only one kind at a time: once the last reminder is due the first is never sent, so a
        scheduler that was down over the weekend sends the last one only.
        """
        now = _utc(now)
        if not now < self.deadline:
            return None
        if self.last <= now:
            return ReminderKind.LAST
        if self.first <= now and _utc(self.first) < _utc(self.last):
            return ReminderKind.FIRST
        return None


def _utc(moment: datetime) -> datetime:
    # Aware datetimes sharing one tzinfo compare by wall time; compare instants instead.
    return moment.astimezone(UTC)


def first_reminder_at(week: IsoWeek, weekday: int, at: time, tz: ZoneInfo) -> datetime:
    """The first reminder: ``weekday`` (0 = Monday) and ``at`` of the reported week, local time."""
    return datetime.combine(week.monday + timedelta(days=weekday), at, tzinfo=tz)


def last_reminder_at(deadline: datetime) -> datetime:
    """The last reminder: 07:00 on the deadline day, or midnight if the deadline is 07:00 or
    earlier (there is no morning left before it)."""
    at = LAST_REMINDER_AT if deadline.time() > LAST_REMINDER_AT else time(0, 0)
    return datetime.combine(deadline.date(), at, tzinfo=deadline.tzinfo)


def reminder_moments(
    week: IsoWeek,
    *,
    reminder_weekday: int,
    reminder_time: time,
    deadline_weekday: int,
    deadline_time: time,
    tz: ZoneInfo,
) -> ReminderMoments:
    deadline = deadline_for(week, deadline_weekday, deadline_time, tz)
    return ReminderMoments(
        week=week,
        first=first_reminder_at(week, reminder_weekday, reminder_time, tz),
        last=last_reminder_at(deadline),
        deadline=deadline,
    )


def due_reminders(
    now: datetime,
    tz: ZoneInfo,
    *,
    reminder_weekday: int,
    reminder_time: time,
    deadline_weekday: int,
    deadline_time: time,
) -> list[tuple[ReminderMoments, ReminderKind]]:
    """The reminders due at ``now``: at most one kind per week, for last week and this week
    (a deadline lies in the week after the reported one, so no older week can be open)."""
    current = IsoWeek.containing(now, tz)
    due = []
    for week in (current.shift(-1), current):
        moments = reminder_moments(
            week,
            reminder_weekday=reminder_weekday,
            reminder_time=reminder_time,
            deadline_weekday=deadline_weekday,
            deadline_time=deadline_time,
            tz=tz,
        )
        kind = moments.due(now)
        if kind is not None:
            due.append((moments, kind))
    return due


def swedish_moment(moment: datetime, tz: ZoneInfo) -> str:
    """A local date and time in Swedish, e.g. 'måndag 30 november kl. 09.00'."""
    return format_datetime(moment, "EEEE d MMMM 'kl.' HH.mm", tzinfo=tz, locale="sv")
