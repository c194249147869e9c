"""Admin operations on a kommun's categories (händelsetyper); flush and audit, never commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from estapp.admin.changes import (
    apply_changes,
    delete_unless_used,
    name_taken,
    record_active,
    record_update,
)
from estapp.admin.errors import InvalidChange
from estapp.audit import record
from estapp.models import Category, Municipality, User

IN_USE = _l("Händelsetypen används och kan inte tas bort; inaktivera den i stället.")


def _check_name(
    session: Session, municipality: Municipality, name: str, exclude: Category | None
) -> None:
    if name_taken(
        session, Category.name, name, Category.municipality_id == municipality.id, exclude=exclude
    ):
        raise InvalidChange(
            "name",
            _l(
                "Det finns redan en händelsetyp som heter %(name)s i %(kommun)s.",
                name=name,
                kommun=municipality.name,
            ),
        )


def categories_in_order(session: Session, municipality: Municipality) -> list[Category]:
    return list(
        session.scalars(
            select(Category)
            .where(Category.municipality_id == municipality.id)
            .order_by(Category.position, Category.name)
        )
    )


def create_category(
    session: Session, actor: User, municipality: Municipality, name: str, *, now: datetime
) -> Category:
    """Add a category last in the kommun's list."""
    name = name.strip()
    _check_name(session, municipality, name, None)
    last = session.scalar(
        select(func.max(Category.position)).where(Category.municipality_id == municipality.id)
    )
    category = Category(
        municipality=municipality, name=name, position=(-1 if last is None else last) + 1
    )
    session.add(category)
    session.flush()
    record(
        session,
        actor,
        "category_created",
        "category",
        category.id,
        municipality_id=municipality.id,
        details={"name": category.name},
        now=now,
    )
    return category


def rename_category(
    session: Session, actor: User, category: Category, name: str, *, now: datetime
) -> dict[str, list[Any]]:
    """Give a category a new name; what was reported under it keeps pointing to it."""
    name = name.strip()
    _check_name(session, category.municipality, name, category)
    changes = apply_changes(category, name=name)
    record_update(session, actor, "category_renamed", category, changes, now=now)
    return changes


def set_category_active(
    session: Session, actor: User, category: Category, active: bool, *, now: datetime
) -> None:
    """Stop offering a category for new reports (history keeps it), or offer it again."""
    record_active(session, actor, category, active, now=now)


def delete_category(session: Session, actor: User, category: Category, *, now: datetime) -> None:
    """Delete a category nothing uses; one in use raises :class:`InvalidChange`."""
    delete_unless_used(session, actor, category, IN_USE, now=now)
