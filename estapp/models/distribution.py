"""Who receives a kommun's documents by e-mail, and which reminders partners have been sent."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from estapp.db import Base, UTCDateTime, text_enum, utcnow
from estapp.models.accounts import User


class DistributionRecipient(Base):
    """One entry of a kommun's distribution list: a user of the app or an external address.

    The flags say which documents the entry receives: the weekly lägesbild and the protokoll
    of the EST meeting.
    """

    __tablename__ = "distribution_recipient"
    __table_args__ = (
        UniqueConstraint("municipality_id", "user_id"),
        UniqueConstraint("municipality_id", "email"),
        CheckConstraint("(user_id IS NULL) <> (email IS NULL)", name="user_or_email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str | None] = mapped_column(String(254))  # external recipients only
    name: Mapped[str | None] = mapped_column(String(150))  # external recipients only
    lagesbild: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    protokoll: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship()

    @property
    def address(self) -> str:
        return self.user.email if self.user is not None else (self.email or "")

    @property
    def display_name(self) -> str:
        if self.user is not None:
            return self.user.name
        return self.name or self.email or ""

    def __repr__(self) -> str:
        return f"<DistributionRecipient {self.id} {self.address}>"


class ReminderKind(enum.StrEnum):
    FIRST = "first"  # påminnelse (default fredag 12:00 i den rapporterade veckan)
    LAST = "last"  # sista påminnelse, på tidsfristens dag


class Reminder(Base):
    """A reminder sent to one partner for one week: the unique key makes it happen once."""

    __tablename__ = "reminder"
    __table_args__ = (UniqueConstraint("municipality_id", "organisation_id", "week_start", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    week_start: Mapped[date] = mapped_column(Date)
    kind: Mapped[ReminderKind] = mapped_column(text_enum(ReminderKind))
    recipients: Mapped[int] = mapped_column(Integer, default=0)  # how many mails were queued
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Reminder {self.kind} org {self.organisation_id} {self.week_start}>"
