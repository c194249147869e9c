"""Deadlines, time-of-day periods and partner statuses for the weekly report."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from estapp.models.reporting import ReportStatus, TimeOfDay
from estapp.reporting.domain import (
    PartnerStatus,
    deadline_for,
    open_weeks,
    partner_status,
    time_of_day_for,
)
from estapp.weeks import IsoWeek

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def test_default_deadline_is_monday_nine_after_the_week():
    deadline = deadline_for(IsoWeek(2026, 47), 0, time(9, 0), STOCKHOLM)
    assert deadline == datetime(2026, 11, 23, 9, 0, tzinfo=STOCKHOLM)
    assert deadline.astimezone(UTC).hour == 8  # winter time, UTC+1


def test_deadline_in_summer_time_and_on_another_weekday():
    deadline = deadline_for(IsoWeek(2026, 26), 1, time(12, 0), STOCKHOLM)
    assert deadline == datetime(2026, 6, 30, 12, 0, tzinfo=STOCKHOLM)
    assert deadline.astimezone(UTC).hour == 10  # summer time, UTC+2


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (time(0, 0), TimeOfDay.NIGHT),
        (time(5, 59), TimeOfDay.NIGHT),
        (time(6, 0), TimeOfDay.MORNING),
        (time(9, 59), TimeOfDay.MORNING),
        (time(10, 0), TimeOfDay.DAY),
        (time(17, 59), TimeOfDay.DAY),
        (time(18, 0), TimeOfDay.EVENING),
        (time(23, 59), TimeOfDay.EVENING),
    ],
)
def test_exact_time_decides_the_period(moment, expected):
    assert time_of_day_for(moment) is expected


@pytest.mark.parametrize(
    ("status", "late", "expected"),
    [
        (ReportStatus.SUBMITTED, False, PartnerStatus.SUBMITTED),
        (ReportStatus.NOTHING_TO_REPORT, False, PartnerStatus.NOTHING),
        (ReportStatus.SUBMITTED, True, PartnerStatus.LATE),
        (ReportStatus.NOTHING_TO_REPORT, True, PartnerStatus.LATE),
        (ReportStatus.DRAFT, False, PartnerStatus.DRAFT),
        (None, False, PartnerStatus.MISSING),
    ],
)
def test_partner_status(status, late, expected):
    deadline = datetime(2026, 11, 23, 9, tzinfo=STOCKHOLM)
    assert partner_status(status, late, deadline=deadline, now=deadline) is expected


def test_last_week_stays_open_until_its_deadline():
    before = datetime(2026, 11, 23, 8, 59, tzinfo=STOCKHOLM)
    after = datetime(2026, 11, 23, 9, 1, tzinfo=STOCKHOLM)
    assert open_weeks(before, STOCKHOLM, 0, time(9)) == [IsoWeek(2026, 47), IsoWeek(2026, 48)]
    assert open_weeks(after, STOCKHOLM, 0, time(9)) == [IsoWeek(2026, 48)]
