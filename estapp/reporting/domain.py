"""Pure rules of weekly reporting: deadlines, time of day and a partner's status for a week."""

from __future__ import annotations

import enum
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from estapp.models.reporting import ReportStatus, TimeOfDay
from estapp.weeks import IsoWeek

MAX_OCCURRENCES = 999
MAX_DESCRIPTION_LENGTH = 2000


class PartnerStatus(enum.StrEnum):
    """What the coordinator's board shows for one partner and week."""

    SUBMITTED = "inskickad"
    NOTHING = "inget att rapportera"
    DRAFT = "utkast"
    MISSING = "saknas"
    LATE = "sen"


def deadline_for(week: IsoWeek, weekday: int, at: time, tz: ZoneInfo) -> datetime:
    """The moment reports for ``week`` are due: ``weekday`` of the next week, local time."""
    day = week.monday + timedelta(days=7 + weekday)
    return datetime.combine(day, at, tzinfo=tz)


def time_of_day_for(moment: time) -> TimeOfDay:
    """Place an exact time in the four EST periods: natt 00–06, morgon 06–10, dag 10–18, kväll."""
    if moment.hour < 6:
        return TimeOfDay.NIGHT
    if moment.hour < 10:
        return TimeOfDay.MORNING
    if moment.hour < 18:
        return TimeOfDay.DAY
    return TimeOfDay.EVENING


def partner_status(
    status: ReportStatus | None, late: bool, *, deadline: datetime, now: datetime
) -> PartnerStatus:
    """Classify a partner's report for the board; no report after the deadline is 'saknas'."""
    if status in (ReportStatus.SUBMITTED, ReportStatus.NOTHING_TO_REPORT):
        if late:
            return PartnerStatus.LATE
        if status is ReportStatus.NOTHING_TO_REPORT:
            return PartnerStatus.NOTHING
        return PartnerStatus.SUBMITTED
    if status is ReportStatus.DRAFT:
        return PartnerStatus.DRAFT
    return PartnerStatus.MISSING


def open_weeks(now: datetime, tz: ZoneInfo, weekday: int, at: time) -> list[IsoWeek]:
    """The weeks a reporter is asked about now: last week until its deadline, and this week."""
    current = IsoWeek.containing(now, tz)
    last = current.shift(-1)
    weeks = [current]
    if now < deadline_for(last, weekday, at, tz):
        weeks.insert(0, last)
    return weeks
