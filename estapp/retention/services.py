"""Setting a kommun's retention period and a category's own one; audited, flush, never commit."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from estapp.admin.changes import apply_changes, record_update
from estapp.admin.errors import InvalidChange
from estapp.models import Category, Municipality, User
from estapp.retention.periods import MAX_MONTHS, MIN_MONTHS, first_kept_week, is_allowed
from estapp.weeks import IsoWeek

FIELD = "retention_months"


def _check(months: int) -> None:
    if not is_allowed(months):
        raise InvalidChange(
            FIELD,
            _l(
                "Ange en gallringsfrist från %(min)s till %(max)s månader.",
                min=MIN_MONTHS,
                max=MAX_MONTHS,
            ),
        )


def set_municipality_retention(
    session: Session, actor: User, municipality: Municipality, months: int, *, now: datetime
) -> bool:
    """Change how many months the kommun keeps observations; False if nothing changed."""
    _check(months)
    changes = apply_changes(municipality, retention_months=months)
    record_update(session, actor, "retention_changed", municipality, changes, now=now)
    return bool(changes)


def set_category_retention(
    session: Session, actor: User, category: Category, months: int | None, *, now: datetime
) -> bool:
    """Give a category its own period, or (None) let it follow the kommun's again."""
    if months is not None:
        _check(months)
    changes = apply_changes(category, retention_months=months)
    record_update(session, actor, "category_retention_changed", category, changes, now=now)
    return bool(changes)


def months_for(category: Category) -> int:
    """The category's own period, or its kommun's."""
    return category.retention_months or category.municipality.retention_months


def first_kept_for(category: Category, *, today: date) -> IsoWeek:
    """The oldest week whose observations of this category gallring keeps today: the nightly
    run deletes everything earlier, so nothing earlier may be entered either."""
    return first_kept_week(today, months_for(category))


def first_complete_week(municipality: Municipality, *, today: date) -> IsoWeek:
    """The oldest week for which every observation of the kommun is still kept: the shortest
    period among the kommun's and its categories' decides."""
    shortest = min(
        [municipality.retention_months]
        + [c.retention_months for c in municipality.categories if c.retention_months]
    )
    return first_kept_week(today, shortest)
