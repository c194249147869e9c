"""The commitments of a medborgarlöfte: adding, changing, removing and ordering them.

Like every promise service, each function checks first, then changes, flushes and audits; it
never commits. Re-exported by :mod:`estapp.promises.services`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from estapp.audit import record
from estapp.models import Commitment, Promise, ResponsibleParty, User
from estapp.promises.changes import apply_changes, problem_area_labels, record_change, shown
from estapp.promises.rules import (
    WHOLE_FORM,
    CommitmentInput,
    PromiseRejected,
    checked_commitment,
)


def commitment_of(promise: Promise, commitment_id: int) -> Commitment | None:
    """The promise's commitment with this id; another promise's commitment is as good as none."""
    return next((c for c in promise.commitments if c.id == commitment_id), None)


def own_commitment(promise: Promise, commitment_id: int) -> Commitment:
    commitment = commitment_of(promise, commitment_id)
    if commitment is None:
        raise PromiseRejected(
            {
                WHOLE_FORM: _l(
                    "Åtagandet hör inte till medborgarlöftet %(title)s.", title=promise.title
                )
            }
        )
    return commitment


def _commitment_values(promise: Promise, data: CommitmentInput) -> dict[str, Any]:
    areas = {area.id: area for area in promise.problem_areas}
    return {
        "text": data.text,
        "responsible_kommun": ResponsibleParty.KOMMUN in data.responsible,
        "responsible_polis": ResponsibleParty.POLIS in data.responsible,
        "responsible_others": ResponsibleParty.OTHERS in data.responsible,
        "responsible_detail": data.responsible_detail,
        "scope": data.scope,
        "follow_up": data.follow_up,
        "evaluation": data.evaluation,
        "indicator_name": data.indicator_name,
        "indicator_unit": data.indicator_unit if data.indicator_name else "",
        "indicator_direction": data.indicator_direction if data.indicator_name else None,
        "indicator_target": data.indicator_target if data.indicator_name else None,
        "indicator_note": data.indicator_note if data.indicator_name else "",
        "public_note": data.public_note,
        "problem_areas": sorted(
            (areas[i] for i in data.problem_area_ids), key=lambda a: (a.position, a.id)
        ),
    }


def create_commitment(
    session: Session,
    actor: User | None,
    promise: Promise,
    data: CommitmentInput,
    *,
    now: datetime,
) -> Commitment:
    """Add a commitment at the end of the promise's list."""
    clean = checked_commitment(data, promise)
    commitment = Commitment(created_at=now, updated_at=now)
    for name, value in _commitment_values(promise, clean).items():
        setattr(commitment, name, value)
    commitment.position = max((c.position for c in promise.commitments), default=-1) + 1
    promise.commitments.append(commitment)
    promise.updated_at = now
    record_change(
        session,
        actor,
        "commitment_created",
        commitment,
        {"promise": promise.title, "text": shown(commitment.text)},
        now=now,
    )
    return commitment


def update_commitment(
    session: Session,
    actor: User | None,
    promise: Promise,
    commitment_id: int,
    data: CommitmentInput,
    *,
    now: datetime,
) -> dict[str, list[Any]]:
    """Change one of the promise's commitments; return what changed."""
    commitment = own_commitment(promise, commitment_id)
    clean = checked_commitment(data, promise)
    values = _commitment_values(promise, clean)
    areas = values.pop("problem_areas")
    responsible_before = commitment.responsible
    changes = apply_changes(commitment, values)
    for flag in ("responsible_kommun", "responsible_polis", "responsible_others"):
        changes.pop(flag, None)
    if commitment.responsible != responsible_before:
        changes["responsible"] = [shown(responsible_before), shown(commitment.responsible)]
    if [a.id for a in commitment.problem_areas] != [a.id for a in areas]:
        changes["problem_areas"] = [
            problem_area_labels(commitment.problem_areas),
            problem_area_labels(areas),
        ]
        commitment.problem_areas = areas
    if changes:
        commitment.updated_at = promise.updated_at = now
        record_change(
            session,
            actor,
            "commitment_updated",
            commitment,
            {"promise": promise.title, "text": shown(commitment.text), "changes": changes},
            now=now,
        )
    return changes


def delete_commitment(
    session: Session, actor: User | None, promise: Promise, commitment_id: int, *, now: datetime
) -> None:
    """Remove one of the promise's commitments; the others close up the gap.

    Like :func:`delete_promise`, refused while anything else refers to the commitment.
    """
    commitment = own_commitment(promise, commitment_id)
    details = {"promise": promise.title, "text": shown(commitment.text)}
    try:
        with session.begin_nested():
            record(
                session,
                actor,
                "commitment_deleted",
                "commitment",
                commitment.id,
                municipality_id=promise.municipality_id,
                details=details,
                now=now,
            )
            promise.commitments.remove(commitment)  # delete-orphan removes the row
            for position, other in enumerate(promise.commitments):
                other.position = position
            promise.updated_at = now
            session.flush()
    except IntegrityError:
        session.expire(promise, ["commitments"])
        raise PromiseRejected(
            {
                WHOLE_FORM: _l(
                    "Åtagandet kan inte tas bort eftersom annat i estapp hänvisar till det."
                )
            }
        ) from None


def reorder_commitments(
    session: Session,
    actor: User | None,
    promise: Promise,
    ordered_ids: Sequence[int],
    *,
    now: datetime,
) -> bool:
    """Put the promise's commitments in this order; every one of them must be named once."""
    current = list(promise.commitments)
    if sorted(ordered_ids) != sorted(c.id for c in current):
        raise PromiseRejected(
            {
                WHOLE_FORM: _l(
                    "Ordningen ska nämna varje åtagande i medborgarlöftet %(title)s en gång.",
                    title=promise.title,
                )
            }
        )
    if list(ordered_ids) == [c.id for c in current]:
        return False
    number = {c.id: index + 1 for index, c in enumerate(current)}  # as the page numbered them
    by_id = {c.id: c for c in current}
    for position, commitment_id in enumerate(ordered_ids):
        by_id[commitment_id].position = position
    promise.commitments.sort(key=lambda c: c.position)
    promise.updated_at = now
    record_change(
        session,
        actor,
        "commitments_reordered",
        promise,
        {
            "title": promise.title,
            "changes": {"order": [sorted(number.values()), [number[i] for i in ordered_ids]]},
        },
        now=now,
    )
    return True


def move_commitment(
    session: Session,
    actor: User | None,
    promise: Promise,
    commitment_id: int,
    offset: int,
    *,
    now: datetime,
) -> bool:
    """Move a commitment up (offset -1) or down (+1); at either end nothing moves."""
    commitment = own_commitment(promise, commitment_id)
    order = [c.id for c in promise.commitments]
    index = order.index(commitment.id)
    target = index + offset
    if offset not in (-1, 1) or not 0 <= target < len(order):
        return False
    order[index], order[target] = order[target], order[index]
    return reorder_commitments(session, actor, promise, order, now=now)
