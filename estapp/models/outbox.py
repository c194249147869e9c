"""The e-mail outbox: every message is a row written in the transaction that caused it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from estapp.db import Base, UTCDateTime, text_enum, utcnow


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"  # köad (also while waiting for a retry)
    SENDING = "sending"  # skickas: claimed by a sender
    SENT = "sent"  # skickad
    FAILED = "failed"  # misslyckad: permanent error or too many attempts


class OutboxMessage(Base):
    """One e-mail to one recipient about one document.

    ``document_key`` names what the mail carries (e.g. ``lagesbild:ekbacka:2026-W47:v2``); with
    the recipient it is unique, so a document is never queued twice for the same person, and it
    fixes the Message-ID, so a re-send after a crash is the same message, not a second one.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("document_key", "recipient"),
        Index("ix_outbox_message_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="SET NULL"), index=True
    )
    document_key: Mapped[str] = mapped_column(String(200))
    recipient: Mapped[str] = mapped_column(String(254))
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    attachment_filename: Mapped[str | None] = mapped_column(String(200))
    attachment_content_type: Mapped[str | None] = mapped_column(String(100))
    attachment_data: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[OutboxStatus] = mapped_column(
        text_enum(OutboxStatus), default=OutboxStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When a sender took the row; a 'sending' row whose sender died is released after a while.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.status} {self.document_key} {self.recipient}>"
