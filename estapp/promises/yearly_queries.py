"""Load what the yearly follow-up needs in a fixed number of queries, whatever its size:
the promises in force with their commitments and problem areas, the actions, their history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from estapp.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Commitment,
    Municipality,
    Organisation,
    Promise,
    PromiseStatus,
)
from estapp.promises.yearly_counts import ActionRecord, changes_of

# A promise is in force once it is signed and published ("gäller"), and stays the basis of
# the follow-up when it has ended; a draft has promised nothing yet.
IN_FORCE = (PromiseStatus.ACTIVE, PromiseStatus.ENDED)


def promises_in_force(session: Session, municipality: Municipality, year: int) -> list[Promise]:
    """The kommun's promises in force during ``year``, oldest first, commitments loaded."""
    return list(
        session.scalars(
            select(Promise)
            .where(
                Promise.municipality_id == municipality.id,
                Promise.status.in_(IN_FORCE),
                Promise.period_start <= year,
                Promise.period_end >= year,
            )
            .order_by(Promise.period_start, Promise.id)
            .options(
                selectinload(Promise.problem_areas),
                selectinload(Promise.commitments).selectinload(Commitment.problem_areas),
            )
        )
    )


def years_covered(session: Session, municipality: Municipality) -> list[int]:
    """Every year that one of the kommun's promises in force covers, oldest first."""
    rows = session.execute(
        select(Promise.period_start, Promise.period_end).where(
            Promise.municipality_id == municipality.id, Promise.status.in_(IN_FORCE)
        )
    )
    return sorted({year for start, end in rows for year in range(start, end + 1)})


def _local(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def action_records(
    session: Session, commitment_ids: Sequence[int], zone: ZoneInfo
) -> dict[int, list[ActionRecord]]:
    """The actions of these commitments with their history, by commitment id (all present)."""
    records: dict[int, list[ActionRecord]] = {cid: [] for cid in commitment_ids}
    if not commitment_ids:
        return records
    history: defaultdict[int, list[tuple[date, ActionStatus]]] = defaultdict(list)
    for action_id, at, new_status in session.execute(
        select(ActionUpdate.action_id, ActionUpdate.at, ActionUpdate.new_status)
        .join(Action, Action.id == ActionUpdate.action_id)
        .where(Action.commitment_id.in_(commitment_ids))
        .order_by(ActionUpdate.at, ActionUpdate.id)
    ):
        history[action_id].append((_local(at, zone), new_status))
    rows = session.execute(
        select(
            Action.id,
            Action.commitment_id,
            Action.text,
            Action.outcome,
            Action.status,
            Action.due_on,
            Action.created_at,
            Action.completed_at,
            Action.updated_at,
            Organisation.name,
        )
        .join(Organisation, Organisation.id == Action.owner_organisation_id)
        .where(Action.commitment_id.in_(commitment_ids))
        .order_by(Action.id)
    )
    for (
        action_id,
        commitment_id,
        text,
        outcome,
        status,
        due_on,
        created_at,
        completed_at,
        updated_at,
        owner,
    ) in rows:
        records[commitment_id].append(
            ActionRecord(
                commitment_id=commitment_id,
                text=text,
                owner=owner,
                outcome=outcome,
                due_on=due_on,
                created_on=_local(created_at, zone),
                changes=changes_of(
                    history[action_id],
                    status_now=status,
                    completed_on=_local(completed_at, zone) if completed_at else None,
                    updated_on=_local(updated_at, zone),
                ),
            )
        )
    return records
