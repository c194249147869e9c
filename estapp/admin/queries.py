"""Read-only look-ups behind the admin lists: filters and pagination."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from estapp.models import AuditEvent, Municipality, Organisation, Role, User

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a longer list."""

    items: list[T]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_shown(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_shown(self) -> int:
        return self.first_shown + len(self.items) - 1 if self.items else 0


def paginate(session: Session, query: Select[Any], number: int, per_page: int) -> Page[Any]:
    """Fetch page ``number`` (1-based; out-of-range numbers show the nearest page)."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    number = min(max(1, number), pages)
    items = list(session.scalars(query.limit(per_page).offset((number - 1) * per_page)))
    return Page(items=items, number=number, per_page=per_page, total=total)


def organisations_query(municipality_id: int | None) -> Select[Any]:
    query = select(Organisation).options(selectinload(Organisation.municipalities))
    if municipality_id is not None:
        query = query.where(Organisation.municipalities.any(Municipality.id == municipality_id))
    return query.order_by(Organisation.name)


def users_query(
    *,
    role: Role | None = None,
    municipality_id: int | None = None,
    organisation_id: int | None = None,
    active: bool | None = None,
) -> Select[Any]:
    """Users matching the filters; a kommun matches its coordinators and viewers as well as
    the reporters of the organisations taking part in it."""
    query = select(User).options(selectinload(User.organisation), selectinload(User.municipalities))
    if role is not None:
        query = query.where(User.role == role)
    if municipality_id is not None:
        query = query.where(
            or_(
                User.municipalities.any(Municipality.id == municipality_id),
                User.organisation.has(
                    Organisation.municipalities.any(Municipality.id == municipality_id)
                ),
            )
        )
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    if active is not None:
        query = query.where(User.active.is_(active))
    return query.order_by(User.name, User.email)


def audit_events_query(
    *,
    action: str | None = None,
    actor_email: str | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    municipality_id: int | None = None,
    since: datetime | None = None,
    before: datetime | None = None,
) -> Select[Any]:
    """Audit events matching the filters, newest first; ``before`` is exclusive."""
    query = select(AuditEvent).options(selectinload(AuditEvent.actor))
    if action:
        query = query.where(AuditEvent.action == action)
    if actor_email:
        pattern = f"%{_escape_like(actor_email.strip().lower())}%"
        query = query.where(AuditEvent.actor.has(User.email.like(pattern, escape="\\")))
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    if municipality_id is not None:
        query = query.where(AuditEvent.municipality_id == municipality_id)
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    if before is not None:
        query = query.where(AuditEvent.occurred_at < before)
    return query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def audit_actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def audit_object_types(session: Session) -> list[str]:
    return list(
        session.scalars(select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type))
    )
