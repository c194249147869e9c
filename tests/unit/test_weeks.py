"""ISO weeks: parsing, edges of the year and Swedish labels."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from estapp.weeks import InvalidWeek, IsoWeek, weeks_in_year


def test_parse_and_format():
    week = IsoWeek.parse("2026-W47")
    assert (week.year, week.week) == (2026, 47)
    assert str(week) == "2026-W47"
    assert week.label() == "vecka 47, 2026"
    assert week.monday == date(2026, 11, 16) and week.sunday == date(2026, 11, 22)


@pytest.mark.parametrize("text", ["", "2026", "2026-47", "2026-W54", "2025-W53", "W47", "abcd-W1"])
def test_malformed_weeks_are_refused_with_a_reason(text):
    with pytest.raises(InvalidWeek) as error:
        IsoWeek.parse(text)
    assert str(error.value)


def test_week_53_exists_only_in_long_years():
    assert weeks_in_year(2026) == 53
    assert weeks_in_year(2025) == 52
    assert IsoWeek.parse("2026-W53").sunday == date(2027, 1, 3)


def test_new_year_belongs_to_the_iso_week():
    assert IsoWeek.of(date(2027, 1, 1)) == IsoWeek(2026, 53)
    assert IsoWeek.of(date(2024, 12, 30)) == IsoWeek(2025, 1)


def test_shift_and_previous():
    week = IsoWeek(2026, 2)
    assert week.shift(-2) == IsoWeek(2025, 52)
    assert week.previous(3) == [IsoWeek(2025, 51), IsoWeek(2025, 52), IsoWeek(2026, 1)]


def test_same_week_last_year_is_missing_for_week_53():
    assert IsoWeek(2026, 47).same_week_last_year() == IsoWeek(2025, 47)
    assert IsoWeek(2026, 53).same_week_last_year() is None


def test_sunday_evening_utc_is_already_monday_in_stockholm():
    moment = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    assert IsoWeek.containing(moment, ZoneInfo("Europe/Stockholm")) == IsoWeek(2026, 48)
