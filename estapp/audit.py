"""Writing audit events; every service that changes something calls :func:`record`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from estapp.models import AuditEvent, User


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
