"""Kommuner, partner organisations, areas, places and categories."""

from __future__ import annotations

import enum
from datetime import time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Time,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from estapp.db import Base, text_enum


class OrganisationKind(enum.StrEnum):
    SKOLA = "skola"
    SOCIALTJANST = "socialtjanst"
    POLIS = "polis"
    BOSTADSBOLAG = "bostadsbolag"
    FRITID = "fritid"
    RADDNINGSTJANST = "raddningstjanst"
    KOLLEKTIVTRAFIK = "kollektivtrafik"
    BEVAKNING = "bevakning"
    NARINGSLIV = "naringsliv"
    OVRIG = "ovrig"


organisation_municipality = Table(
    "organisation_municipality",
    Base.metadata,
    Column(
        "organisation_id",
        ForeignKey("organisation.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "municipality_id",
        ForeignKey("municipality.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


# Two years: the yearly follow-up of the medborgarlöfte with last year to compare against.
DEFAULT_RETENTION_MONTHS = 24


class DistributionTrigger(enum.StrEnum):
    """When the week's lägesbild goes out to the distribution list."""

    PUBLISH = "publish"  # när samordnaren fastställer versionen (default)
    COMPILE = "compile"  # direkt efter måndagens automatiska sammanställning


class DistributionMode(enum.StrEnum):
    ATTACHMENT = "attachment"  # PDF:en bifogad
    LINK = "link"  # bara en länk till appen


class Municipality(Base):
    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    # Reports for a week are due on this weekday (0 = Monday) of the following week, local time.
    deadline_weekday: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    deadline_time: Mapped[time] = mapped_column(Time, default=time(9, 0), server_default="09:00:00")
    # Distribution of the lägesbild: when it goes out, and whether as a PDF or as a link.
    distribution_trigger: Mapped[DistributionTrigger] = mapped_column(
        text_enum(DistributionTrigger),
        default=DistributionTrigger.PUBLISH,
        server_default=DistributionTrigger.PUBLISH.value,
    )
    distribution_mode: Mapped[DistributionMode] = mapped_column(
        text_enum(DistributionMode),
        default=DistributionMode.ATTACHMENT,
        server_default=DistributionMode.ATTACHMENT.value,
    )
    # Reminders to partners that have not reported: the first on this weekday and time of the
    # reported week itself (default Friday 12:00), the last on the morning of the deadline day.
    reminders_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    reminder_weekday: Mapped[int] = mapped_column(Integer, default=4, server_default="4")
    reminder_time: Mapped[time] = mapped_column(
        Time, default=time(12, 0), server_default="12:00:00"
    )
    # The public follow-up page of the kommun's medborgarlöften (no login). Off until the
    # coordinator turns it on: the kommun decides when its figures are ready to be shown.
    public_follow_up: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Observations are deleted this many months after their week (estapp.retention); the
    # compiled lägesbilder keep their figures.
    retention_months: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_RETENTION_MONTHS, server_default=str(DEFAULT_RETENTION_MONTHS)
    )

    organisations: Mapped[list[Organisation]] = relationship(
        secondary=organisation_municipality, back_populates="municipalities"
    )
    areas: Mapped[list[Area]] = relationship(back_populates="municipality")
    categories: Mapped[list[Category]] = relationship(back_populates="municipality")

    def __repr__(self) -> str:
        return f"<Municipality {self.slug}>"


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(text_enum(OrganisationKind))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=organisation_municipality, back_populates="organisations"
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"


class Area(Base):
    __tablename__ = "area"
    __table_args__ = (UniqueConstraint("municipality_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(120))
    geojson: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    municipality: Mapped[Municipality] = relationship(back_populates="areas")
    parent: Mapped[Area | None] = relationship(remote_side=[id])
    places: Mapped[list[Place]] = relationship(back_populates="area", order_by="Place.name")

    def __repr__(self) -> str:
        return f"<Area {self.id} {self.name!r}>"


class Place(Base):
    __tablename__ = "place"
    __table_args__ = (UniqueConstraint("area_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(150))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    area: Mapped[Area] = relationship(back_populates="places")

    def __repr__(self) -> str:
        return f"<Place {self.id} {self.name!r}>"


class Category(Base):
    __tablename__ = "category"
    __table_args__ = (UniqueConstraint("municipality_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The category's own retention period in months; None follows the kommun's.
    retention_months: Mapped[int | None] = mapped_column(Integer)

    municipality: Mapped[Municipality] = relationship(back_populates="categories")

    def __repr__(self) -> str:
        return f"<Category {self.id} {self.name!r}>"
