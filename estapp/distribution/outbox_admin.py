"""Looking after the outbox from the web: which messages to list, and sending a failed one again.

The pages list addresses and subjects only; the bodies and attachments are never loaded.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from datetime import datetime
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session, load_only, raiseload

from estapp import audit
from estapp.admin.fields import MAX_ID
from estapp.models import Municipality, OutboxMessage, OutboxStatus, User

# Everything a list row shows; the bodies and the attachment stay in the database.
LISTED_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.municipality_id,
    OutboxMessage.document_key,
    OutboxMessage.recipient,
    OutboxMessage.subject,
    OutboxMessage.attachment_filename,
    OutboxMessage.status,
    OutboxMessage.attempts,
    OutboxMessage.next_attempt_at,
    OutboxMessage.last_error,
    OutboxMessage.sent_at,
    OutboxMessage.created_at,
)


class StatusFilter(enum.StrEnum):
    """The choices of the list's status filter (URL values, ASCII)."""

    ALL = ""
    QUEUED = "koade"
    FAILED = "misslyckade"
    SENT = "skickade"


STATUS_FILTER_LABELS = {
    StatusFilter.ALL: _l("Alla"),
    StatusFilter.QUEUED: _l("Köade"),
    StatusFilter.FAILED: _l("Misslyckade"),
    StatusFilter.SENT: _l("Skickade"),
}

_FILTERED_STATUSES: dict[StatusFilter, tuple[OutboxStatus, ...]] = {
    # A message being sent right now has not gone yet: it counts as queued.
    StatusFilter.QUEUED: (OutboxStatus.QUEUED, OutboxStatus.SENDING),
    StatusFilter.FAILED: (OutboxStatus.FAILED,),
    StatusFilter.SENT: (OutboxStatus.SENT,),
}


def statuses_of(wanted: StatusFilter) -> Collection[OutboxStatus] | None:
    """The outbox statuses a filter choice stands for; None: every status."""
    return _FILTERED_STATUSES.get(wanted)


class RequeueRefused(Exception):
    """The message cannot be queued again; ``message`` says why in Swedish."""

    def __init__(self, message: LazyString, *, not_found: bool = False) -> None:
        super().__init__(str(message))
        self.message = message
        self.not_found = not_found


def outbox_query(
    *,
    municipality: Municipality | None = None,
    statuses: Collection[OutboxStatus] | None = None,
) -> Select[Any]:
    """Messages newest first, of one kommun (None: every message, also those of no kommun)."""
    query = (
        select(OutboxMessage)
        # raiseload: a template that reaches for a body or the attachment fails loudly (in the
        # tests) instead of quietly fetching it.
        .options(load_only(*LISTED_COLUMNS, raiseload=True), raiseload("*"))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    )
    if municipality is not None:
        query = query.where(OutboxMessage.municipality_id == municipality.id)
    if statuses is not None:
        query = query.where(OutboxMessage.status.in_(tuple(statuses)))
    return query


def failed_count(session: Session, municipality: Municipality | None) -> int:
    """How many messages could not be delivered: the kommun's, or (None) all of them."""
    query = (
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
    )
    if municipality is not None:
        query = query.where(OutboxMessage.municipality_id == municipality.id)
    return session.scalar(query) or 0


def requeue_failed(
    session: Session,
    actor: User,
    message_id: int,
    *,
    municipality: Municipality | None,
    now: datetime,
) -> OutboxMessage:
    """Put a failed message back in the queue, due now, keeping its attempts and last error.

    ``municipality`` is the kommun the message must belong to; None allows any message (the
    admin's page). Raises :class:`RequeueRefused` for an unknown message, one of another kommun
    (both ``not_found``) or one that has not failed.
    """
    if not 0 < message_id <= MAX_ID:  # beyond the column's range PostgreSQL would refuse it
        raise RequeueRefused(_l("Meddelandet finns inte."), not_found=True)
    conditions = [OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.FAILED]
    if municipality is not None:
        conditions.append(OutboxMessage.municipality_id == municipality.id)
    # One conditional statement, so two clicks (or two coordinators) requeue it once.
    requeued = session.execute(
        update(OutboxMessage)
        .where(*conditions)
        .values(status=OutboxStatus.QUEUED, next_attempt_at=now, claimed_at=None)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    message = session.get(
        OutboxMessage,
        message_id,
        options=[load_only(*LISTED_COLUMNS, raiseload=True)],
        populate_existing=True,
    )
    if message is None or (municipality is not None and message.municipality_id != municipality.id):
        raise RequeueRefused(_l("Meddelandet finns inte."), not_found=True)
    if requeued is None:
        if message.status == OutboxStatus.SENT:
            reason = _l(
                "Meddelandet till %(recipient)s är redan skickat.", recipient=message.recipient
            )
        else:
            reason = _l(
                "Meddelandet till %(recipient)s ligger redan i kön.", recipient=message.recipient
            )
        raise RequeueRefused(reason)
    audit.record(
        session,
        actor,
        "outbox_message_requeued",
        "outbox_message",
        message.id,
        municipality_id=message.municipality_id,
        details={
            "recipient": message.recipient,
            "subject": message.subject,
            "document_key": message.document_key,
            "attempts": message.attempts,
            "last_error": message.last_error,
        },
        now=now,
    )
    return message
