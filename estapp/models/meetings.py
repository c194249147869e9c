"""EST meetings, the actions they decide and every follow-up of an action.

An action's history (``ActionUpdate``) is kept row by row with its time, so that progress per
commitment and the yearly follow-up of the medborgarlöfte can later be computed from it.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from estapp.db import Base, UTCDateTime, text_enum, utcnow
from estapp.models.accounts import User
from estapp.models.geography import Area, Municipality, Organisation, Place
from estapp.models.promises import Commitment


class MeetingStatus(enum.StrEnum):
    DRAFT = "draft"  # pågår / utkast till protokoll
    LOCKED = "locked"  # protokollet är låst


class ActionStatus(enum.StrEnum):
    PLANNED = "planerad"
    IN_PROGRESS = "pagaende"
    DONE = "genomford"
    CANCELLED = "installd"


OPEN_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class ActionReminderKind(enum.StrEnum):
    DUE_SOON = "due_soon"  # förfaller inom några dagar
    OVERDUE = "overdue"  # försenad


meeting_attendance = Table(
    "meeting_attendance",
    Base.metadata,
    Column("meeting_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "organisation_id",
        ForeignKey("organisation.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)


class Meeting(Base):
    """One EST meeting of a kommun, reviewing one ISO week (one per kommun and week)."""

    __tablename__ = "meeting"
    __table_args__ = (UniqueConstraint("municipality_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    week_start: Mapped[date] = mapped_column(Date)  # Monday of the reviewed ISO week
    held_on: Mapped[date] = mapped_column(Date)
    status: Mapped[MeetingStatus] = mapped_column(
        text_enum(MeetingStatus),
        default=MeetingStatus.DRAFT,
        server_default=MeetingStatus.DRAFT.value,
    )
    minutes: Mapped[str] = mapped_column(Text, default="")
    decisions: Mapped[str] = mapped_column(Text, default="")
    # Next week's focus places, as decided in the meeting.
    focus_place_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    municipality: Mapped[Municipality] = relationship()
    attendees: Mapped[list[Organisation]] = relationship(
        secondary=meeting_attendance, order_by="Organisation.name"
    )
    locked_by: Mapped[User | None] = relationship(foreign_keys=[locked_by_id])

    @property
    def is_locked(self) -> bool:
        return self.status == MeetingStatus.LOCKED

    def __repr__(self) -> str:
        return f"<Meeting {self.id} kommun={self.municipality_id} {self.week_start}>"


class Action(Base):
    """An åtgärd decided by the EST group: who does what, where, by when, for which commitment."""

    __tablename__ = "action"
    __table_args__ = (Index("ix_action_kommun_status_due", "municipality_id", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="RESTRICT"))
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    owner_organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    due_on: Mapped[date] = mapped_column(Date)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="RESTRICT"))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"))
    commitment_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitment.id", ondelete="RESTRICT"), index=True
    )
    # The hot spot or category of the lägesbild that prompted the action, as it was labelled.
    prompted_by: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[ActionStatus] = mapped_column(
        text_enum(ActionStatus),
        default=ActionStatus.PLANNED,
        server_default=ActionStatus.PLANNED.value,
    )
    note: Mapped[str] = mapped_column(Text, default="")  # the latest follow-up note
    outcome: Mapped[str] = mapped_column(Text, default="")
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    municipality: Mapped[Municipality] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    owner_organisation: Mapped[Organisation] = relationship()
    owner_user: Mapped[User | None] = relationship(foreign_keys=[owner_user_id])
    area: Mapped[Area | None] = relationship()
    place: Mapped[Place | None] = relationship()
    commitment: Mapped[Commitment | None] = relationship()
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action",
        order_by="[ActionUpdate.at, ActionUpdate.id]",
        cascade="all, delete-orphan",
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def where(self) -> str:
        if self.place is not None:
            return self.place.name
        return self.area.name if self.area is not None else ""

    def __repr__(self) -> str:
        return f"<Action {self.id} {self.status} due {self.due_on}>"


class ActionUpdate(Base):
    """One follow-up of an action: when, by whom, the status before and after, and a note."""

    __tablename__ = "action_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    old_status: Mapped[ActionStatus | None] = mapped_column(text_enum(ActionStatus))
    new_status: Mapped[ActionStatus] = mapped_column(text_enum(ActionStatus))
    note: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")

    action: Mapped[Action] = relationship(back_populates="updates")
    by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ActionUpdate {self.id} action={self.action_id} {self.new_status}>"


class ActionReminder(Base):
    """A reminder about one action; the unique key makes each kind happen once."""

    __tablename__ = "action_reminder"
    __table_args__ = (UniqueConstraint("action_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"))
    kind: Mapped[ActionReminderKind] = mapped_column(text_enum(ActionReminderKind))
    recipients: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<ActionReminder {self.kind} action {self.action_id}>"
