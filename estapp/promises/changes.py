"""What the promise services share: how a change is shown and recorded in the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from estapp.audit import record
from estapp.models import Commitment, ProblemArea, Promise, User
from estapp.promises.rules import ProblemAreaInput, PromiseInput

AUDIT_TEXT_LENGTH = 80  # long texts are shortened in the audit log


def shown(value: Any) -> Any:
    """A value as the audit log keeps it: codes for enums, long texts shortened."""
    if isinstance(value, frozenset | set):
        return sorted(shown(item) for item in value)
    if isinstance(value, date):
        return value.isoformat()
    value = getattr(value, "value", value)
    if isinstance(value, str) and len(value) > AUDIT_TEXT_LENGTH:
        return value[: AUDIT_TEXT_LENGTH - 1].rstrip() + "…"
    return value


def apply_changes(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set attributes and return what changed as {name: [old, new]} for the audit log."""
    changes: dict[str, list[Any]] = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            setattr(obj, name, new)
            changes[name] = [shown(old), shown(new)]
    return changes


def period_label(promise: Promise | PromiseInput) -> str:
    if promise.period_start == promise.period_end:
        return str(promise.period_start)
    return f"{promise.period_start}–{promise.period_end}"


def record_change(
    session: Session,
    actor: User | None,
    action: str,
    obj: Promise | Commitment,
    details: dict[str, Any],
    *,
    now: datetime,
) -> None:
    session.flush()
    promise = obj if isinstance(obj, Promise) else obj.promise
    record(
        session,
        actor,
        action,
        obj.__tablename__,
        obj.id,
        municipality_id=promise.municipality_id,
        details=details,
        now=now,
    )


def problem_area_labels(areas: Sequence[ProblemArea | ProblemAreaInput]) -> list[str]:
    return [shown(area.name or area.description) for area in areas]
