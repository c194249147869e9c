"""Weekly reports and their observations."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from estapp.db import Base, UTCDateTime, text_enum, utcnow
from estapp.models.accounts import User
from estapp.models.geography import Area, Category, Municipality, Organisation, Place


class ReportStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    NOTHING_TO_REPORT = "nothing"


class TimeOfDay(enum.StrEnum):
    NIGHT = "natt"
    MORNING = "morgon"
    DAY = "dag"
    EVENING = "kvall"


class Concern(enum.StrEnum):
    LOW = "lag"
    MEDIUM = "medel"
    HIGH = "hog"


class WeeklyReport(Base):
    """One organisation's report to one kommun for one ISO week."""

    __tablename__ = "weekly_report"
    __table_args__ = (
        UniqueConstraint("municipality_id", "organisation_id", "week_start"),
        # The kommun's weeks in order: the first week reported and a week's reports, read by
        # every lägesbild and status board, without scanning years of reports.
        Index("ix_weekly_report_kommun_week", "municipality_id", "week_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    week_start: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[ReportStatus] = mapped_column(text_enum(ReportStatus), default="draft")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped on every change, so a form opened before a change can be recognised as stale.
    revision: Mapped[int] = mapped_column(Integer, default=1)

    municipality: Mapped[Municipality] = relationship()
    organisation: Mapped[Organisation] = relationship()
    submitted_by: Mapped[User | None] = relationship()
    observations: Mapped[list[Observation]] = relationship(
        back_populates="report",
        order_by="(Observation.occurred_on, Observation.id)",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<WeeklyReport {self.id} org={self.organisation_id} {self.week_start}>"


class Observation(Base):
    """One reported event or observation: what, where, when, how much, how worrying."""

    __tablename__ = "observation"
    __table_args__ = (
        CheckConstraint("occurrences >= 1 AND occurrences <= 999", name="occurrences_range"),
        CheckConstraint("place_id IS NOT NULL OR other_place IS NOT NULL", name="has_place"),
        Index("ix_observation_kommun_week", "municipality_id", "week_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("weekly_report.id", ondelete="CASCADE"), index=True
    )
    # Copied from the report so the lägesbild can aggregate without a join.
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="RESTRICT"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    week_start: Mapped[date] = mapped_column(Date)
    occurred_on: Mapped[date] = mapped_column(Date)
    time_of_day: Mapped[TimeOfDay] = mapped_column(text_enum(TimeOfDay))
    exact_time: Mapped[time | None] = mapped_column(Time)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="RESTRICT"), index=True)
    place_id: Mapped[int | None] = mapped_column(
        ForeignKey("place.id", ondelete="RESTRICT"), index=True
    )
    other_place: Mapped[str | None] = mapped_column(String(120))
    category_id: Mapped[int] = mapped_column(
        ForeignKey("category.id", ondelete="RESTRICT"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    concern: Mapped[Concern] = mapped_column(text_enum(Concern))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    corrected_by_coordinator: Mapped[bool] = mapped_column(Boolean, default=False)

    report: Mapped[WeeklyReport] = relationship(back_populates="observations")
    area: Mapped[Area] = relationship()
    place: Mapped[Place | None] = relationship()
    category: Mapped[Category] = relationship()
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Observation {self.id} {self.occurred_on} cat={self.category_id}>"


class ObservationDraft(Base):
    """What a reporter was typing into the observation form, kept until saved or discarded."""

    __tablename__ = "observation_draft"
    __table_args__ = (UniqueConstraint("user_id", "report_id", "observation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    report_id: Mapped[int] = mapped_column(ForeignKey("weekly_report.id", ondelete="CASCADE"))
    observation_id: Mapped[int | None] = mapped_column(
        ForeignKey("observation.id", ondelete="CASCADE")
    )
    fields: Mapped[str] = mapped_column(Text)  # JSON of the form's raw values
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<ObservationDraft {self.id} user={self.user_id} report={self.report_id}>"
