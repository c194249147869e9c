"""Load the actions behind a promise's progress in one query, whatever the number of commitments."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from estapp.models import Action, ActionUpdate, Promise
from estapp.promises.progress import ActionFacts, Progress, progress_of


def _local(moment: datetime | None, zone: ZoneInfo) -> date | None:
    return None if moment is None else moment.astimezone(zone).date()


def action_facts_of(
    session: Session, promise: Promise, zone: ZoneInfo
) -> dict[int, list[ActionFacts]]:
    """Each commitment's actions (keyed by commitment id, every commitment present)."""
    commitment_ids = [c.id for c in promise.commitments]
    facts: dict[int, list[ActionFacts]] = {cid: [] for cid in commitment_ids}
    if not commitment_ids:
        return facts
    last_update = (
        select(ActionUpdate.action_id, func.max(ActionUpdate.at).label("last_at"))
        .join(Action, Action.id == ActionUpdate.action_id)
        .where(Action.commitment_id.in_(commitment_ids))
        .group_by(ActionUpdate.action_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Action.commitment_id,
            Action.status,
            Action.due_on,
            Action.created_at,
            Action.completed_at,
            last_update.c.last_at,
        )
        .outerjoin(last_update, last_update.c.action_id == Action.id)
        .where(Action.commitment_id.in_(commitment_ids))
    )
    grouped: defaultdict[int, list[ActionFacts]] = defaultdict(list)
    for commitment_id, status, due_on, created_at, completed_at, last_at in rows:
        grouped[commitment_id].append(
            ActionFacts(
                status=status,
                due_on=due_on,
                created_on=_local(created_at, zone) or due_on,
                completed_on=_local(completed_at, zone),
                last_update_on=_local(last_at, zone),
            )
        )
    facts.update(grouped)
    return facts


def progress_by_commitment(
    session: Session, promise: Promise, zone: ZoneInfo, today: date
) -> dict[int, Progress]:
    """Every commitment's progress, keyed by commitment id."""
    return {
        cid: progress_of(actions, today)
        for cid, actions in action_facts_of(session, promise, zone).items()
    }
