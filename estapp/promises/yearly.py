"""The yearly follow-up of a kommun's medborgarlöfte: per commitment, what was done during a
calendar year and what came of it, for the yearly report to citizens and the next promise.

:func:`yearly_report` gathers plain data (no ORM objects) from a fixed number of queries; the
PDF is made of it by :mod:`estapp.promises.yearly_pdf`. Actions are told by their owner
organisation only, never by a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from flask_babel import LazyString, force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from estapp.models import Commitment, Municipality, Promise
from estapp.promises.changes import period_label
from estapp.promises.labels import indicator_goal, responsible_label
from estapp.promises.rules import FIRST_YEAR, LAST_YEAR
from estapp.promises.yearly_counts import CommitmentYear, as_of_day, commitment_year
from estapp.promises.yearly_queries import action_records, promises_in_force

__all__ = [
    "CommitmentReport",
    "ProblemAreaSection",
    "PromiseReport",
    "YearlyReport",
    "YearlyReportRefused",
    "parse_year",
    "yearly_report",
]


class YearlyReportRefused(Exception):
    """No follow-up can be made for what was asked; the message says why, in Swedish."""

    def __init__(self, message: str | LazyString) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class CommitmentReport:
    number: int  # its place in the promise, counted from 1
    text: str
    responsible: str
    scope: str  # omfattning
    indicator: str
    indicator_goal: str
    public_note: str  # what the coordinator wrote for citizens about how it goes
    problem_areas: tuple[str, ...]
    year: CommitmentYear


@dataclass(frozen=True)
class ProblemAreaSection:
    """The commitments told under one problem area (the first they are tied to); the heading
    is empty for those tied to none, and for every commitment of a promise without areas."""

    heading: str
    description: str
    commitments: tuple[CommitmentReport, ...]


@dataclass(frozen=True)
class PromiseReport:
    title: str
    period: str
    signed_on: date | None
    signatories: str
    commitments: tuple[CommitmentReport, ...]  # in the promise's order
    sections: tuple[ProblemAreaSection, ...]


@dataclass(frozen=True)
class YearlyReport:
    kommun: str
    slug: str
    year: int
    as_of: date  # 31 December, or today while the year runs
    running: bool
    promises: tuple[PromiseReport, ...]


def parse_year(text: str | None) -> int:
    """The year asked for (a form field, a URL argument, a command-line option)."""
    cleaned = (text or "").strip()
    year = int(cleaned) if cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= 4 else 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise YearlyReportRefused(
            _l(
                "Ange året som ett årtal mellan %(first)d och %(last)d, till exempel 2026.",
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        )
    return year


def _sections(
    promise: Promise, reports: Sequence[CommitmentReport]
) -> tuple[ProblemAreaSection, ...]:
    pairs = list(zip(promise.commitments, reports, strict=True))
    if not promise.problem_areas:
        return (ProblemAreaSection("", "", tuple(reports)),)
    first_area = {c.id: c.problem_areas[0].id for c in promise.commitments if c.problem_areas}
    sections = [
        ProblemAreaSection(
            area.label,
            area.description if area.name else "",
            tuple(report for c, report in pairs if first_area.get(c.id) == area.id),
        )
        for area in promise.problem_areas
    ]
    rest = tuple(report for c, report in pairs if c.id not in first_area)
    if rest:
        sections.append(ProblemAreaSection("", "", rest))
    return tuple(sections)


def _commitment(number: int, commitment: Commitment, year: CommitmentYear) -> CommitmentReport:
    return CommitmentReport(
        number=number,
        text=commitment.text,
        responsible=responsible_label(commitment),
        scope=commitment.scope,
        indicator=commitment.indicator_name,
        indicator_goal=indicator_goal(commitment),
        public_note=commitment.public_note,
        problem_areas=tuple(area.label for area in commitment.problem_areas),
        year=year,
    )


def yearly_report(
    session: Session, municipality: Municipality, year: int, *, today: date, zone: ZoneInfo
) -> YearlyReport:
    """The follow-up of the promise(s) in force during ``year``; refused for a year that has
    not begun and for one without a promise in force. Call inside an app context."""
    if year > today.year:
        raise YearlyReportRefused(_l("Året %(year)s har inte börjat än.", year=year))
    promises = promises_in_force(session, municipality, year)
    if not promises:
        raise YearlyReportRefused(
            _l(
                "%(kommun)s har inget medborgarlöfte som gällde %(year)s.",
                kommun=municipality.name,
                year=year,
            )
        )
    records = action_records(
        session, [c.id for promise in promises for c in promise.commitments], zone
    )
    as_of = as_of_day(year, today)
    reports = []
    with force_locale("sv"):  # a document for citizens, whatever language the asker reads
        for promise in promises:
            commitments = tuple(
                _commitment(number, c, commitment_year(records[c.id], year, as_of))
                for number, c in enumerate(promise.commitments, start=1)
            )
            reports.append(
                PromiseReport(
                    title=promise.title,
                    period=period_label(promise),
                    signed_on=promise.signed_on,
                    signatories=promise.signatories,
                    commitments=commitments,
                    sections=_sections(promise, commitments),
                )
            )
    return YearlyReport(
        kommun=municipality.name,
        slug=municipality.slug,
        year=year,
        as_of=as_of,
        running=year == today.year,
        promises=tuple(reports),
    )
