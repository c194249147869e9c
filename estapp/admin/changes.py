"""What every admin change shares: applying edits, uniqueness checks, auditing and deleting."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import LazyString
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from estapp.admin.errors import InvalidChange
from estapp.audit import record
from estapp.db import Base
from estapp.models import Area, Category, Municipality, Organisation, Place, User

Editable = Municipality | Organisation | Area | Place | Category


def apply_changes(obj: Any, **values: Any) -> dict[str, list[Any]]:
    """Set attributes and return what changed as {name: [old, new]} for the audit log."""
    changes: dict[str, list[Any]] = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            setattr(obj, name, new)
            changes[name] = [audit_value(old), audit_value(new)]
    return changes


def audit_value(value: Any) -> Any:
    """How a value is shown in the audit log: objects by name, enums by code, no polygons."""
    if isinstance(value, Base):
        return getattr(value, "name", None) or getattr(value, "id", None)
    if isinstance(value, list):
        return sorted(audit_value(item) for item in value)
    if isinstance(value, dict):
        return "GeoJSON"  # the polygon itself would swamp the log
    return getattr(value, "value", value)


def name_taken(session: Session, column: Any, value: str, *where: Any, exclude: Any) -> bool:
    """True when another row already has this value (compared without regard to case)."""
    query = select(func.count()).where(func.lower(column) == value.lower(), *where)
    if exclude is not None:
        query = query.where(column.class_.id != exclude.id)
    return bool(session.scalar(query))


def municipality_id_of(obj: Base) -> int | None:
    """The kommun an object belongs to, for filtering the audit log by kommun."""
    if isinstance(obj, Municipality):
        return obj.id
    if isinstance(obj, Area | Category):
        return obj.municipality_id
    if isinstance(obj, Place):
        return obj.area.municipality_id
    return None


def record_update(
    session: Session,
    actor: User,
    action: str,
    obj: Editable,
    changes: dict[str, list[Any]],
    *,
    now: datetime,
) -> None:
    """Audit an edit; an edit that changed nothing is not worth a line in the log."""
    if not changes:
        return
    session.flush()
    record(
        session,
        actor,
        action,
        obj.__tablename__,
        obj.id,
        municipality_id=municipality_id_of(obj),
        details={"name": obj.name, "changes": changes},
        now=now,
    )


def record_active(
    session: Session, actor: User, obj: Organisation | Category, active: bool, *, now: datetime
) -> None:
    """Switch ``active`` and audit it; switching to the current state does nothing."""
    if obj.active == active:
        return
    obj.active = active
    session.flush()
    record(
        session,
        actor,
        f"{obj.__tablename__}_{'activated' if active else 'deactivated'}",
        obj.__tablename__,
        obj.id,
        municipality_id=municipality_id_of(obj),
        details={"name": obj.name},
        now=now,
    )


def delete_unless_used(
    session: Session,
    actor: User,
    obj: Area | Place | Category,
    in_use: LazyString,
    *,
    now: datetime,
) -> None:
    """Delete a row unless something refers to it; then raise ``InvalidChange(None, in_use)``.

    The database's RESTRICT foreign keys decide, so references added by later features count
    without this code knowing them. The attempt runs in a SAVEPOINT: a refusal rolls back only
    the delete and leaves the request's transaction usable. The audit row is written inside the
    same SAVEPOINT because on SQLite (pysqlite's legacy transaction handling) a SAVEPOINT opened
    before any write is itself the transaction and its RELEASE commits: delete and audit row
    then stand or fall together.
    """
    model = type(obj)
    object_id, name, municipality_id = obj.id, obj.name, municipality_id_of(obj)
    try:
        with session.begin_nested():
            record(
                session,
                actor,
                f"{model.__tablename__}_deleted",
                model.__tablename__,
                object_id,
                municipality_id=municipality_id,
                details={"name": name},
                now=now,
            )
            session.flush()
            session.execute(
                delete(model)
                .where(model.id == object_id)
                .execution_options(synchronize_session=False)
            )
    except IntegrityError:
        raise InvalidChange(None, in_use) from None
    session.expunge(obj)
