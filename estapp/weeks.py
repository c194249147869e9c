"""ISO-8601 weeks: parsing, arithmetic and Swedish labels. Pure; no Flask, no ORM."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_WEEK_PATTERN = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)


class InvalidWeek(ValueError):
    """Text that is not an ISO week such as 2026-W47."""


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    def __post_init__(self) -> None:
        if not 1 <= self.week <= weeks_in_year(self.year):
            raise InvalidWeek(f"år {self.year} har ingen vecka {self.week}")

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """Parse '2026-W47' (or '2026W47'); raise InvalidWeek with a Swedish reason."""
        match = _WEEK_PATTERN.match(text or "")
        if not match:
            raise InvalidWeek(f"{text!r} är ingen vecka; skriv till exempel 2026-W47")
        year, week = int(match.group(1)), int(match.group(2))
        if not 1900 <= year <= 2999:
            raise InvalidWeek(f"året {year} är utanför det som går att ange")
        return cls(year, week)

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        year, week, _ = day.isocalendar()
        return cls(year, week)

    @classmethod
    def containing(cls, moment: datetime, tz: ZoneInfo) -> IsoWeek:
        """The week a moment falls in, in the given local time zone."""
        return cls.of(moment.astimezone(tz).date())

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def days(self) -> list[date]:
        return [self.monday + timedelta(days=offset) for offset in range(7)]

    def contains(self, day: date) -> bool:
        return self.monday <= day <= self.sunday

    def shift(self, weeks: int) -> IsoWeek:
        return IsoWeek.of(self.monday + timedelta(weeks=weeks))

    def previous(self, count: int) -> list[IsoWeek]:
        """The ``count`` weeks before this one, oldest first."""
        return [self.shift(-offset) for offset in range(count, 0, -1)]

    def same_week_last_year(self) -> IsoWeek | None:
        week = min(self.week, weeks_in_year(self.year - 1))
        return IsoWeek(self.year - 1, week) if week == self.week else None

    def start_utc(self, tz: ZoneInfo) -> datetime:
        return datetime.combine(self.monday, time(0), tzinfo=tz)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    def label(self) -> str:
        """Swedish label, e.g. 'vecka 47, 2026'."""
        return f"vecka {self.week}, {self.year}"


def weeks_in_year(year: int) -> int:
    return date(year, 12, 28).isocalendar()[1]
