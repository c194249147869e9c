"""How long observations are kept: the limits, month arithmetic and the first week kept.

Pure: no Flask, no database.
"""

from __future__ import annotations

import calendar
from datetime import date

from estapp.models.geography import DEFAULT_RETENTION_MONTHS
from estapp.weeks import IsoWeek

DEFAULT_MONTHS = DEFAULT_RETENTION_MONTHS
# A new lägesbild compares the week with the same week last year (and draws a 12-week trend),
# so a shorter period would delete weeks that the next compile still reads.
MIN_MONTHS = 13
MAX_MONTHS = 120  # ten years


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day if it is shorter)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_kept_week(today: date, months: int) -> IsoWeek:
    """The oldest week whose observations are kept; every earlier week ended over ``months``
    months ago. A week is never split: the one containing the limit is kept whole."""
    return IsoWeek.of(months_before(today, months))


def is_allowed(months: int) -> bool:
    return MIN_MONTHS <= months <= MAX_MONTHS
