"""The outbox: queue e-mail in the caller's transaction, send due rows, retry, give up.

Delivery is *at least once*: a sender claims a row ('sending'), commits, talks to the SMTP server
and then marks the row. If the process dies between the server's acceptance and the mark, the
row is released after ``STALE_AFTER`` and sent again, with the same Message-ID (it is derived
from the document and the recipient, never from the attempt), so the recipient's server or
client can recognise the second copy as the same message instead of a new one.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from estapp import audit
from estapp.config import Settings
from estapp.distribution import smtp
from estapp.distribution.smtp import Attachment, DeliveryFailure, OutgoingMail
from estapp.models import Municipality, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

# Waits after the 1st, 2nd, ... failed attempt; after the last one, every hour.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
)
MAX_ATTEMPTS = 48  # about two days of an unreachable server, then the row is failed
STALE_AFTER = timedelta(minutes=10)  # a 'sending' row this old lost its sender

__all__ = [
    "MAX_ATTEMPTS",
    "RETRY_DELAYS",
    "STALE_AFTER",
    "Attachment",
    "InvalidRecipient",
    "SendSummary",
    "message_id_for",
    "queue_message",
    "retry_delay",
    "send_due",
]


class InvalidRecipient(ValueError):
    """The recipient is not an e-mail address; the message is Swedish and names it."""


@dataclass
class SendSummary:
    sent: int = 0
    retrying: int = 0  # failed transiently in this run, queued again
    failed: int = 0  # failed for good in this run
    waiting: int = 0  # queued after the run (due later, or beyond the limit)

    def __str__(self) -> str:
        return f"Skickade {self.sent}, väntar {self.waiting}, misslyckade {self.failed}"


def message_domain(settings: Settings) -> str:
    """The right-hand side of our Message-IDs: the domain of ESTAPP_MAIL_FROM."""
    return smtp.sender_address(settings).rpartition("@")[2].lower() or "estapp"


def message_id_for(document_key: str, recipient: str, domain: str) -> str:
    digest = hashlib.sha256(f"{document_key}|{recipient}".encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def normalise_recipient(address: str) -> str:
    """The address checked and in one spelling (lower case: mailboxes ignore case in practice,
    and one spelling lets the outbox see that two entries are the same recipient)."""
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise InvalidRecipient(f"{address.strip()!r} är ingen giltig e-postadress") from None


def queue_message(
    session: Session,
    *,
    document_key: str,
    recipient: str,
    subject: str,
    text: str,
    settings: Settings,
    html: str | None = None,
    attachment: Attachment | None = None,
    municipality: Municipality | None = None,
    now: datetime,
) -> OutboxMessage:
    """Queue one mail in the caller's transaction; the same document and recipient queue once.

    Returns the new row, or the one already queued (in any state) for this document and address.
    """
    address = normalise_recipient(recipient)
    existing = _find(session, document_key, address)
    if existing is not None:
        return existing
    message = OutboxMessage(
        document_key=document_key,
        recipient=address,
        message_id=message_id_for(document_key, address, message_domain(settings)),
        subject=subject,
        body_text=text,
        body_html=html,
        attachment_filename=attachment.filename if attachment else None,
        attachment_content_type=attachment.content_type if attachment else None,
        attachment_data=attachment.data if attachment else None,
        status=OutboxStatus.QUEUED,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        municipality_id=municipality.id if municipality is not None else None,
    )
    try:
        with session.begin_nested():  # a concurrent transaction may queue the same mail
            session.add(message)
    except IntegrityError:
        existing = _find(session, document_key, address)
        if existing is None:
            raise
        return existing
    return message


def _find(session: Session, document_key: str, address: str) -> OutboxMessage | None:
    return session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.document_key == document_key, OutboxMessage.recipient == address
        )
    )


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after ``attempts`` failed attempts."""
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def release_stale(sessions: sessionmaker[Session], *, now: datetime) -> int:
    """Put rows whose sender vanished mid-send back in the queue; return how many."""
    with sessions.begin() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.status == OutboxStatus.SENDING,
                OutboxMessage.claimed_at <= now - STALE_AFTER,
            )
            .values(
                status=OutboxStatus.QUEUED,
                next_attempt_at=now,
                claimed_at=None,
                last_error="Sändningen avbröts innan den bekräftades; skickas igen med samma "
                "Message-ID.",
            )
            .execution_options(synchronize_session=False)
        )
        released = result.rowcount
    if released:
        log.warning("outbox: released %s message(s) left in 'sending'", released)
    return released


def _claim_next(sessions: sessionmaker[Session], *, now: datetime) -> OutgoingMail | None:
    """Take the next due row for this sender and commit, so no other sender takes it."""
    with sessions.begin() as session:
        due = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == OutboxStatus.QUEUED,
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(1)
        )
        if session.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        # One statement: on SQLite it takes the write lock at once, on PostgreSQL the row lock.
        claimed = session.scalar(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == due.scalar_subquery(),
                OutboxMessage.status == OutboxStatus.QUEUED,
            )
            .values(
                status=OutboxStatus.SENDING,
                claimed_at=now,
                attempts=OutboxMessage.attempts + 1,
            )
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
        if claimed is None:
            return None
        row = session.get(OutboxMessage, claimed, populate_existing=True)
        assert row is not None
        attachment = None
        if row.attachment_data is not None:
            attachment = Attachment(
                filename=row.attachment_filename or "bilaga",
                content_type=row.attachment_content_type or "application/octet-stream",
                data=row.attachment_data,
            )
        return OutgoingMail(
            id=row.id,
            document_key=row.document_key,
            municipality_id=row.municipality_id,
            attempt=row.attempts,
            recipient=row.recipient,
            message_id=row.message_id,
            subject=row.subject,
            text=row.body_text,
            html=row.body_html,
            attachment=attachment,
        )


def _mark_sent(sessions: sessionmaker[Session], mail: OutgoingMail, *, now: datetime) -> None:
    # Write first: on SQLite a transaction that reads before it writes can lose the lock race.
    with sessions.begin() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == mail.id)
            .values(status=OutboxStatus.SENT, sent_at=now, claimed_at=None, last_error=None)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # deleted while we were sending
            return
        audit.record(
            session,
            None,
            "mail_sent",
            "outbox_message",
            mail.id,
            municipality_id=mail.municipality_id,
            details={
                "recipient": mail.recipient,
                "subject": mail.subject,
                "document_key": mail.document_key,
                # What kind of mail: the key's first part (lagesbild, protokoll, inbjudan, …).
                "mail_kind": mail.document_key.split(":", 1)[0],
                "message_id": mail.message_id,
                "attempt": mail.attempt,
            },
            now=now,
        )


def _mark_failed(
    sessions: sessionmaker[Session],
    mail: OutgoingMail,
    failure: DeliveryFailure,
    *,
    now: datetime,
) -> OutboxStatus | None:
    """Queue the row again or fail it for good; None if it is no longer ours to mark."""
    if failure.permanent:
        values = {"status": OutboxStatus.FAILED, "last_error": str(failure)}
    elif mail.attempt >= MAX_ATTEMPTS:
        values = {
            "status": OutboxStatus.FAILED,
            "last_error": f"Gav upp efter {mail.attempt} försök. Senaste fel: {failure}",
        }
    else:
        values = {
            "status": OutboxStatus.QUEUED,
            "next_attempt_at": now + retry_delay(mail.attempt),
            "last_error": str(failure),
        }
    with sessions.begin() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == mail.id,
                # Still our claim: not released as stale and taken by another sender meanwhile.
                OutboxMessage.status == OutboxStatus.SENDING,
                OutboxMessage.attempts == mail.attempt,
            )
            .values(claimed_at=None, **values)
            .execution_options(synchronize_session=False)
        )
    return values["status"] if result.rowcount == 1 else None


def _send_one(mail: OutgoingMail, settings: Settings, *, now: datetime) -> None:
    try:
        message = smtp.compose(mail, settings, now=now)
    except Exception as error:  # a body or header the email package cannot encode
        raise DeliveryFailure(
            f"Brevet kunde inte byggas: {type(error).__name__}: {error}", permanent=True
        ) from error
    smtp.deliver(message, mail.recipient, settings)


def send_due(
    sessions: sessionmaker[Session], settings: Settings, *, now: datetime, limit: int = 50
) -> SendSummary:
    """Send up to ``limit`` due messages, each claimed and marked in its own short transaction.

    SMTP errors never escape: they are written to the row (``last_error``) and logged.
    """
    summary = SendSummary()
    release_stale(sessions, now=now)
    for _ in range(limit):
        mail = _claim_next(sessions, now=now)
        if mail is None:
            break
        try:
            _send_one(mail, settings, now=now)
        except DeliveryFailure as failure:
            outcome = _mark_failed(sessions, mail, failure, now=now)
            log.warning("outbox: message %s to %s not sent: %s", mail.id, mail.recipient, failure)
            if outcome == OutboxStatus.FAILED:
                summary.failed += 1
            elif outcome == OutboxStatus.QUEUED:
                summary.retrying += 1
            continue
        _mark_sent(sessions, mail, now=now)
        log.info("outbox: message %s sent to %s", mail.id, mail.recipient)
        summary.sent += 1
    with sessions() as session:
        summary.waiting = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status.in_((OutboxStatus.QUEUED, OutboxStatus.SENDING)))
        )
    return summary


def list_messages(
    session: Session, *, status: OutboxStatus | None = None, limit: int = 100
) -> list[OutboxMessage]:
    """The newest messages first, optionally of one status."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return list(session.scalars(query))
