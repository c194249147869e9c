"""Compiled, versioned situation pictures (lägesbild) and the scheduler's record of its runs."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from estapp.db import Base, UTCDateTime, text_enum, utcnow
from estapp.models.accounts import User
from estapp.models.geography import Municipality


class PictureStatus(enum.StrEnum):
    DRAFT = "draft"  # utkast
    PUBLISHED = "published"  # fastställd


class CompileReason(enum.StrEnum):
    SCHEDULED = "scheduled"
    MANUAL = "manual"
    CLI = "cli"


class SituationPicture(Base):
    """One frozen version of a kommun's lägesbild for one ISO week.

    The payload holds aggregated figures only (counts by category, area, place, time), never an
    observation's description or a person's name, so it can be shown and sent on as it is.
    """

    __tablename__ = "situation_picture"
    __table_args__ = (
        UniqueConstraint("municipality_id", "week_start", "version"),
        Index("ix_situation_picture_kommun_week", "municipality_id", "week_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="RESTRICT"))
    week_start: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[PictureStatus] = mapped_column(text_enum(PictureStatus), default="draft")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # sha256 of the canonical payload: recompiling an unchanged week makes no new version.
    payload_hash: Mapped[str] = mapped_column(String(64))
    compiled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[CompileReason] = mapped_column(text_enum(CompileReason))
    compiled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    assessment: Mapped[str] = mapped_column(Text, default="")
    notable_events: Mapped[str] = mapped_column(Text, default="")
    focus_place_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    municipality: Mapped[Municipality] = relationship()
    compiled_by: Mapped[User | None] = relationship(foreign_keys=[compiled_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])

    @property
    def is_published(self) -> bool:
        return self.status == PictureStatus.PUBLISHED

    def __repr__(self) -> str:
        where = f"kommun={self.municipality_id} {self.week_start}"
        return f"<SituationPicture {self.id} {where} v{self.version}>"


class CompileRun(Base):
    """A scheduled compile that has been claimed; the unique key makes a repeat a no-op."""

    __tablename__ = "compile_run"
    __table_args__ = (UniqueConstraint("municipality_id", "week_start", "scheduled_for"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"))
    week_start: Mapped[date] = mapped_column(Date)
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    picture_id: Mapped[int | None] = mapped_column(
        ForeignKey("situation_picture.id", ondelete="SET NULL")
    )

    def __repr__(self) -> str:
        return f"<CompileRun {self.id} kommun={self.municipality_id} {self.week_start}>"
