"""Creating and changing medborgarlöften and their commitments.

Each function takes the session, the acting user and ``now``; it flushes and audits, never
commits. Every rule is checked before anything is touched: a change that breaks one raises
:class:`PromiseRejected`, whose messages name the form fields they concern, and leaves the
promise exactly as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from estapp.admin.fields import MAX_ID
from estapp.audit import record
from estapp.models import Municipality, ProblemArea, Promise, User
from estapp.promises.changes import (
    apply_changes,
    period_label,
    problem_area_labels,
    record_change,
)
from estapp.promises.commitments import (
    commitment_of,
    create_commitment,
    delete_commitment,
    move_commitment,
    reorder_commitments,
    update_commitment,
)
from estapp.promises.rules import (
    WHOLE_FORM,
    CommitmentInput,
    ProblemAreaInput,
    PromiseInput,
    PromiseRejected,
    checked_promise,
)

__all__ = [
    "CommitmentInput",
    "ProblemAreaInput",
    "PromiseInput",
    "PromiseRejected",
    "commitment_of",
    "create_commitment",
    "create_promise",
    "delete_commitment",
    "delete_promise",
    "move_commitment",
    "period_label",
    "promise_of",
    "promises_of",
    "reorder_commitments",
    "update_commitment",
    "update_promise",
]

# --- finding ---------------------------------------------------------------------------------


def promise_of(session: Session, municipality: Municipality, promise_id: int) -> Promise | None:
    """The kommun's promise with this id; another kommun's promise is as good as none."""
    if not 0 < promise_id <= MAX_ID:
        return None
    promise = session.get(Promise, promise_id)
    if promise is None or promise.municipality_id != municipality.id:
        return None
    return promise


def promises_of(session: Session, municipality: Municipality) -> list[Promise]:
    """The kommun's promises, newest period first."""
    return list(
        session.scalars(
            select(Promise)
            .where(Promise.municipality_id == municipality.id)
            .order_by(Promise.period_start.desc(), Promise.period_end.desc(), Promise.id.desc())
        )
    )


# --- promises --------------------------------------------------------------------------------


def create_promise(
    session: Session,
    actor: User | None,
    municipality: Municipality,
    data: PromiseInput,
    *,
    now: datetime,
) -> Promise:
    """Create a kommun's promise with its problem areas (commitments are added one by one)."""
    clean = checked_promise(data, None)
    promise = Promise(
        municipality=municipality,
        title=clean.title,
        period_start=clean.period_start,
        period_end=clean.period_end,
        status=clean.status,
        summary=clean.summary,
        background=clean.background,
        goal=clean.goal,
        follow_up=clean.follow_up,
        signed_on=clean.signed_on,
        signatories=clean.signatories,
        contact=clean.contact,
        created_at=now,
        updated_at=now,
        problem_areas=[
            ProblemArea(position=position, name=area.name, description=area.description)
            for position, area in enumerate(clean.problem_areas)
        ],
    )
    session.add(promise)
    record_change(
        session,
        actor,
        "promise_created",
        promise,
        {"title": promise.title, "period": period_label(promise)},
        now=now,
    )
    return promise


def _replace_problem_areas(promise: Promise, wanted: Sequence[ProblemAreaInput]) -> bool:
    """Make the promise's problem areas the wanted ones, in that order; True if any changed."""
    before = [(a.id, a.name, a.description) for a in promise.problem_areas]
    existing = {area.id: area for area in promise.problem_areas}
    kept_ids = {area.id for area in wanted if area.id is not None}
    for area in list(promise.problem_areas):
        if area.id not in kept_ids:
            for commitment in promise.commitments:
                if area in commitment.problem_areas:
                    commitment.problem_areas.remove(area)
            promise.problem_areas.remove(area)  # delete-orphan removes the row
    areas = []
    for position, item in enumerate(wanted):
        area = existing[item.id] if item.id is not None else ProblemArea()
        area.position, area.name, area.description = position, item.name, item.description
        areas.append(area)
    promise.problem_areas = areas
    return before != [(a.id, a.name, a.description) for a in areas]


def update_promise(
    session: Session, actor: User | None, promise: Promise, data: PromiseInput, *, now: datetime
) -> dict[str, list[Any]]:
    """Change a promise's texts, period, status and problem areas; return what changed."""
    clean = checked_promise(data, promise)
    old_areas = problem_area_labels(promise.problem_areas)
    changes = apply_changes(
        promise,
        {
            "title": clean.title,
            "period_start": clean.period_start,
            "period_end": clean.period_end,
            "status": clean.status,
            "summary": clean.summary,
            "background": clean.background,
            "goal": clean.goal,
            "follow_up": clean.follow_up,
            "signed_on": clean.signed_on,
            "signatories": clean.signatories,
            "contact": clean.contact,
        },
    )
    if _replace_problem_areas(promise, clean.problem_areas):
        changes["problem_areas"] = [old_areas, problem_area_labels(clean.problem_areas)]
    if changes:
        promise.updated_at = now
        record_change(
            session,
            actor,
            "promise_updated",
            promise,
            {"title": promise.title, "changes": changes},
            now=now,
        )
    return changes


def delete_promise(
    session: Session, actor: User | None, promise: Promise, *, now: datetime
) -> None:
    """Delete a promise with its problem areas and commitments.

    Refused while anything else refers to one of its commitments: the database's RESTRICT
    foreign keys decide, so references added by later features count without this code
    knowing them. The attempt runs in a SAVEPOINT, so a refusal leaves the request usable.
    """
    details = {"title": promise.title, "period": period_label(promise)}
    promise_id, municipality_id = promise.id, promise.municipality_id
    try:
        with session.begin_nested():
            record(
                session,
                actor,
                "promise_deleted",
                "promise",
                promise_id,
                municipality_id=municipality_id,
                details=details,
                now=now,
            )
            session.delete(promise)
            session.flush()
    except IntegrityError:
        raise PromiseRejected(
            {
                WHOLE_FORM: _l(
                    "Medborgarlöftet kan inte tas bort eftersom annat i estapp hänvisar till "
                    "dess åtaganden. Ändra status till avslutat i stället."
                )
            }
        ) from None
