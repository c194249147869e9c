"""The nightly gallring: delete each kommun's observations older than their retention period.

Observations go in batches, each batch in its own transaction, so a large backlog never holds
long locks; a run cut short is finished by the next one. What they leave behind stays: weekly
reports (who reported, when: no descriptions), the compiled lägesbilder (aggregates only) and
the audit log. Unsaved drafts of a week past the kommun's period go too, since they hold typed
text. Each run writes one audit event per kommun with counts, never contents.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from estapp import audit
from estapp.config import Settings
from estapp.db import utcnow
from estapp.models import Category, Municipality, Observation, ObservationDraft, WeeklyReport
from estapp.retention.periods import first_kept_week
from estapp.retention.services import first_kept_for, months_for
from estapp.weeks import IsoWeek

log = logging.getLogger(__name__)

BATCH_SIZE = 500


@dataclass
class CategoryPurge:
    """One category's observations from before ``first_kept``: found, or deleted."""

    category_id: int
    name: str
    months: int
    own_period: bool
    first_kept: IsoWeek
    count: int = 0


@dataclass
class KommunPurge:
    municipality_id: int
    name: str
    months: int
    first_kept: IsoWeek
    categories: list[CategoryPurge] = field(default_factory=list)
    drafts: int = 0
    interrupted: bool = False

    @property
    def observations(self) -> int:
        return sum(c.count for c in self.categories)

    def audit_details(self) -> dict[str, object]:
        """Counts and limits only: never a description, a place or a person."""
        details: dict[str, object] = {
            "observations": self.observations,
            "drafts": self.drafts,
            "retention_months": self.months,
            "kept_from": str(self.first_kept),
            "by_category": [
                f"{c.name}: {c.count}" + (f" ({c.months} mån)" if c.own_period else "")
                for c in self.categories
                if c.count
            ],
        }
        if self.interrupted:
            details["interrupted"] = True
        return details


def _expired(municipality_id: int, category: CategoryPurge) -> tuple[ColumnElement[bool], ...]:
    return (
        Observation.municipality_id == municipality_id,
        Observation.category_id == category.category_id,
        Observation.week_start < category.first_kept.monday,
    )


def _expired_reports(municipality_id: int, first_kept: IsoWeek) -> Select[tuple[int]]:
    return select(WeeklyReport.id).where(
        WeeklyReport.municipality_id == municipality_id,
        WeeklyReport.week_start < first_kept.monday,
    )


def plan(session: Session, municipality: Municipality, *, today: date) -> KommunPurge:
    """What the kommun's periods say should go today, counted (nothing is deleted)."""
    result = KommunPurge(
        municipality_id=municipality.id,
        name=municipality.name,
        months=municipality.retention_months,
        first_kept=first_kept_week(today, municipality.retention_months),
    )
    categories = session.scalars(
        select(Category)
        .where(Category.municipality_id == municipality.id)
        .order_by(Category.position, Category.name)
    )
    for category in categories:
        entry = CategoryPurge(
            category_id=category.id,
            name=category.name,
            months=months_for(category),
            own_period=category.retention_months is not None,
            first_kept=first_kept_for(category, today=today),
        )
        entry.count = session.scalar(
            select(func.count(Observation.id)).where(*_expired(municipality.id, entry))
        )
        result.categories.append(entry)
    result.drafts = session.scalar(
        select(func.count(ObservationDraft.id)).where(
            ObservationDraft.report_id.in_(_expired_reports(municipality.id, result.first_kept))
        )
    )
    return result


def _delete_batch(
    session: Session, municipality_id: int, category: CategoryPurge, size: int
) -> int:
    ids = list(
        session.scalars(
            select(Observation.id)
            .where(*_expired(municipality_id, category))
            .order_by(Observation.id)
            .limit(size)
        )
    )
    if ids:
        # The foreign key cascades too; said here so the order never depends on it.
        session.execute(
            delete(ObservationDraft)
            .where(ObservationDraft.observation_id.in_(ids))
            .execution_options(synchronize_session=False)
        )
        session.execute(
            delete(Observation)
            .where(Observation.id.in_(ids))
            .execution_options(synchronize_session=False)
        )
    return len(ids)


def _delete(sessions: sessionmaker[Session], found: KommunPurge, batch_size: int) -> None:
    """Delete what ``found`` lists, counting what actually went."""
    with sessions.begin() as session:
        result = session.execute(
            delete(ObservationDraft)
            .where(
                ObservationDraft.report_id.in_(
                    _expired_reports(found.municipality_id, found.first_kept)
                )
            )
            .execution_options(synchronize_session=False)
        )
        found.drafts = result.rowcount or 0
    for category in found.categories:
        category.count = 0
        while True:
            with sessions.begin() as session:
                deleted = _delete_batch(session, found.municipality_id, category, batch_size)
            category.count += deleted
            if deleted < batch_size:
                break


def purge_kommun(
    sessions: sessionmaker[Session],
    municipality_id: int,
    *,
    now: datetime,
    tz: ZoneInfo,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> KommunPurge | None:
    """Gallra one kommun (or, dry, only count); None if the kommun is gone."""
    today = now.astimezone(tz).date()
    with sessions() as session:
        municipality = session.get(Municipality, municipality_id)
        if municipality is None:
            return None
        found = plan(session, municipality, today=today)
    if dry_run:
        return found
    try:
        _delete(sessions, found, batch_size)
    except Exception:
        found.interrupted = True
        raise
    finally:
        with sessions.begin() as session:
            audit.record(
                session,
                None,
                "observations_purged",
                "municipality",
                found.municipality_id,
                municipality_id=found.municipality_id,
                details=found.audit_details(),
                now=now,
            )
    return found


def run_retention(
    sessions: sessionmaker[Session],
    *,
    now: datetime,
    tz: ZoneInfo,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> list[KommunPurge]:
    """Gallra every kommun, by name; with ``dry_run`` only count what would go."""
    with sessions() as session:
        ids = list(session.scalars(select(Municipality.id).order_by(Municipality.name)))
    results = []
    for municipality_id in ids:
        found = purge_kommun(
            sessions, municipality_id, now=now, tz=tz, dry_run=dry_run, batch_size=batch_size
        )
        if found is not None:
            results.append(found)
    return results


def retention_job(
    sessions: sessionmaker[Session], settings: Settings, *, now: datetime | None = None
) -> list[KommunPurge] | None:
    """The nightly job: gallra every kommun; log, never raise."""
    try:
        results = run_retention(sessions, now=now or utcnow(), tz=settings.tz)
    except Exception:
        log.exception("retention run failed")
        return None
    for found in results:
        log.info(
            "retention %s: %s observations and %s drafts from before %s deleted",
            found.name,
            found.observations,
            found.drafts,
            found.first_kept,
        )
    return results
