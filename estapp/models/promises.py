"""Medborgarlöften: a kommun's yearly (or two-year) promise, its problem areas and commitments.

A promise is written by the kommun and the police together and published for citizens. Its
commitments (åtaganden) are what the EST group's actions will later be tied to, so that the
yearly follow-up can be written from data; they therefore keep stable ids and an explicit order.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from estapp.db import Base, UTCDateTime, text_enum, utcnow
from estapp.models.geography import Municipality

# A promise runs for one calendar year or two (Töreboda and Mariestad: 2023–2024).
MAX_PERIOD_YEARS = 2


class PromiseStatus(enum.StrEnum):
    DRAFT = "draft"  # utkast: only the kommun's coordinators see it
    ACTIVE = "active"  # gäller
    ENDED = "ended"  # avslutat: kept for the yearly follow-up and next year's promise


class ResponsibleParty(enum.StrEnum):
    """Who carries out a commitment; several may share it (kommun and polis: "båda")."""

    KOMMUN = "kommun"
    POLIS = "polis"
    OTHERS = "ovriga"  # named in Commitment.responsible_detail


class IndicatorDirection(enum.StrEnum):
    INCREASE = "increase"  # öka
    DECREASE = "decrease"  # minska
    KEEP = "keep"  # bibehålla


commitment_problem_area = Table(
    "commitment_problem_area",
    Base.metadata,
    Column("commitment_id", ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "problem_area_id",
        ForeignKey("problem_area.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Promise(Base):
    """One medborgarlöfte of one kommun, with the texts the published document is made of."""

    __tablename__ = "promise"
    __table_args__ = (
        CheckConstraint(
            f"period_end >= period_start AND period_end < period_start + {MAX_PERIOD_YEARS}",
            name="period",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[int] = mapped_column(Integer)  # first calendar year
    period_end: Mapped[int] = mapped_column(Integer)  # last calendar year, inclusive
    status: Mapped[PromiseStatus] = mapped_column(
        text_enum(PromiseStatus),
        default=PromiseStatus.DRAFT,
        server_default=PromiseStatus.DRAFT.value,
    )
    # The lead ("Vårt löfte till dig"), the background and situation picture ("Bakgrund",
    # "Situationen idag", "Vad säger invånarna?"), what the parties want to achieve together
    # ("Det här ska vi åstadkomma", "Målet med satsningen") and how the promise as a whole is
    # followed up and reported back ("Följ med i hur det går!").
    summary: Mapped[str] = mapped_column(Text, default="")
    background: Mapped[str] = mapped_column(Text, default="")
    goal: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[str] = mapped_column(Text, default="")
    signed_on: Mapped[date | None] = mapped_column(Date)
    signatories: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    municipality: Mapped[Municipality] = relationship()
    problem_areas: Mapped[list[ProblemArea]] = relationship(
        back_populates="promise",
        order_by="[ProblemArea.position, ProblemArea.id]",
        cascade="all, delete-orphan",
    )
    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="promise",
        order_by="[Commitment.position, Commitment.id]",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Promise {self.id} {self.period_start}-{self.period_end} {self.title!r}>"


class ProblemArea(Base):
    """A problem the promise addresses ("Problemområden"); a heading, a text, or both."""

    __tablename__ = "problem_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(
        ForeignKey("promise.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")

    promise: Mapped[Promise] = relationship(back_populates="problem_areas")

    @property
    def label(self) -> str:
        """The heading, or the start of the text when the promise has none."""
        if self.name:
            return self.name
        text = " ".join(self.description.split())
        return text if len(text) <= 60 else text[:59].rstrip() + "…"

    def __repr__(self) -> str:
        return f"<ProblemArea {self.id} {self.label!r}>"


class Commitment(Base):
    """One commitment (åtagande) of a promise: a bullet of "Vi lovar att", or a row of a table
    of activities with its omfattning, ansvarig, uppföljning and utvärdering."""

    __tablename__ = "commitment"

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(
        ForeignKey("promise.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    responsible_kommun: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    responsible_polis: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    responsible_others: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Who exactly, in the promise's words: a function ("Gruppchef", "Folkhälsostrateg") or the
    # other parties ("Fastighetsägare, Räddningstjänsten").
    responsible_detail: Mapped[str] = mapped_column(String(300), default="")
    scope: Mapped[str] = mapped_column(Text, default="")  # omfattning
    follow_up: Mapped[str] = mapped_column(Text, default="")  # uppföljning
    evaluation: Mapped[str] = mapped_column(Text, default="")  # utvärdering
    indicator_name: Mapped[str] = mapped_column(String(200), default="")
    indicator_unit: Mapped[str] = mapped_column(String(50), default="")
    indicator_direction: Mapped[IndicatorDirection | None] = mapped_column(
        text_enum(IndicatorDirection)
    )
    indicator_target: Mapped[float | None] = mapped_column(Float)
    indicator_note: Mapped[str] = mapped_column(Text, default="")
    # What the coordinator writes for citizens about how the commitment is going; kept apart
    # from the working texts so that a public follow-up page shows only what was meant for it.
    public_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    promise: Mapped[Promise] = relationship(back_populates="commitments")
    problem_areas: Mapped[list[ProblemArea]] = relationship(
        secondary=commitment_problem_area,
        order_by="[ProblemArea.position, ProblemArea.id]",
    )

    @property
    def responsible(self) -> frozenset[ResponsibleParty]:
        return frozenset(
            party
            for party, chosen in (
                (ResponsibleParty.KOMMUN, self.responsible_kommun),
                (ResponsibleParty.POLIS, self.responsible_polis),
                (ResponsibleParty.OTHERS, self.responsible_others),
            )
            if chosen
        )

    @property
    def has_indicator(self) -> bool:
        return bool(self.indicator_name)

    def __repr__(self) -> str:
        return f"<Commitment {self.id} of promise {self.promise_id} #{self.position}>"
