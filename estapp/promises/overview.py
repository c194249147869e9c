"""The promise dashboard: every commitment's progress at a glance, and the whole promise's.

Built from the same action facts as the progress on the promise page (one query), so the two
pages cannot disagree. Counts and dates only: no action texts, no names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from estapp.models import Commitment, Promise
from estapp.promises.progress import ActionFacts, Progress, ProgressStatus, progress_of


@dataclass(frozen=True)
class MonthRow:
    """Actions decided and completed in one calendar month."""

    month: date  # the first day of the month
    decided: int
    done: int


@dataclass(frozen=True)
class CommitmentRow:
    number: int
    commitment: Commitment
    progress: Progress


@dataclass(frozen=True)
class Overview:
    whole: Progress  # the promise's actions counted together
    rows: tuple[CommitmentRow, ...]
    by_status: Mapping[ProgressStatus, int]  # number of commitments in each status
    months: tuple[MonthRow, ...]

    @property
    def busiest_month(self) -> int:
        """The largest monthly count, so that bars can be drawn relative to it."""
        return max((max(m.decided, m.done) for m in self.months), default=0)


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def _months_between(first: date, last: date) -> list[date]:
    months = []
    month = _first_of_month(first)
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def month_rows(promise: Promise, facts: Sequence[ActionFacts], today: date) -> tuple[MonthRow, ...]:
    """Each month of the promise's period up to ``today`` (the whole period once it has ended)."""
    start = date(promise.period_start, 1, 1)
    end = min(date(promise.period_end, 12, 31), today)
    if end < start:
        return ()
    decided = Counter(_first_of_month(a.created_on) for a in facts)
    done = Counter(_first_of_month(a.completed_on) for a in facts if a.completed_on is not None)
    return tuple(
        MonthRow(month=month, decided=decided[month], done=done[month])
        for month in _months_between(start, end)
    )


def overview_of(
    promise: Promise, facts: Mapping[int, Sequence[ActionFacts]], today: date
) -> Overview:
    """The dashboard of ``promise`` from its actions' facts keyed by commitment id."""
    rows = tuple(
        CommitmentRow(number, commitment, progress_of(facts.get(commitment.id, ()), today))
        for number, commitment in enumerate(promise.commitments, start=1)
    )
    every = [fact for commitment in promise.commitments for fact in facts.get(commitment.id, ())]
    counted = Counter(row.progress.status for row in rows)
    return Overview(
        whole=progress_of(every, today),
        rows=rows,
        by_status={status: counted[status] for status in ProgressStatus},
        months=month_rows(promise, every, today),
    )
