"""Mail one document to a kommun's distribution list, through the outbox.

Each receiver gets one message per document key: a key already queued for an address (in any
state) is not queued again, so re-triggering a document reaches only those added since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from estapp.config import Settings
from estapp.distribution.outbox import Attachment, normalise_recipient, queue_message
from estapp.distribution.recipients import Document, receivers_of
from estapp.models import DistributionRecipient, Municipality, OutboxMessage


def not_yet_sent(
    session: Session,
    municipality: Municipality,
    key: str,
    document: Document = Document.LAGESBILD,
) -> list[DistributionRecipient]:
    """The list's receivers of ``document`` who have no mail of this key (in any state)."""
    already = set(
        session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.document_key == key))
    )
    return [
        entry
        for entry in receivers_of(session, municipality, document)
        if normalise_recipient(entry.address) not in already
    ]


@dataclass(frozen=True)
class ListMail:
    """One document's mail to the distribution list, the same for every receiver."""

    key: str
    subject: str
    text: str
    html: str
    attachment: Attachment | None = None


def queue_to_list(
    session: Session,
    municipality: Municipality,
    receivers: list[DistributionRecipient],
    mail: ListMail,
    *,
    settings: Settings,
    now: datetime,
) -> int:
    """Queue the mail for each receiver in the caller's transaction; return how many."""
    for entry in receivers:
        queue_message(
            session,
            document_key=mail.key,
            recipient=entry.address,
            subject=mail.subject,
            text=mail.text,
            html=mail.html,
            attachment=mail.attachment,
            municipality=municipality,
            settings=settings,
            now=now,
        )
    return len(receivers)
