"""Writing audit events; every service that changes something calls :func:`record`.

The log is append-only for the application: the ORM refuses to update or delete an event, one
by one or in bulk, so no page, job or command can rewrite history (gallring included). Restoring
a backup loads tables below the ORM and is the one exception, by design.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.event import listens_for
from sqlalchemy.orm import Mapper, ORMExecuteState, Session

from estapp.models import AuditEvent, User


class AuditLogIsAppendOnly(RuntimeError):
    """Something tried to change or delete an audit event."""


def record(
    session: Session,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | None,
    *,
    municipality_id: int | None = None,
    details: dict[str, Any] | None = None,
    now: datetime,
) -> AuditEvent:
    """Add an audit event in the caller's transaction."""
    event = AuditEvent(
        occurred_at=now,
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        municipality_id=municipality_id,
        details=details or {},
    )
    session.add(event)
    return event


@listens_for(AuditEvent, "before_update")
@listens_for(AuditEvent, "before_delete")
def _refuse_change(mapper: Mapper[AuditEvent], connection: Any, target: AuditEvent) -> None:
    raise AuditLogIsAppendOnly(f"audit event {target.id} cannot be changed or deleted")


@listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state: ORMExecuteState) -> None:
    # ORM statements (update(AuditEvent)) and plain ones on the table alike.
    table_name = getattr(getattr(state.statement, "table", None), "name", None)
    if (state.is_update or state.is_delete) and table_name == AuditEvent.__tablename__:
        raise AuditLogIsAppendOnly("audit events cannot be changed or deleted")
