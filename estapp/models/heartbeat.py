"""The scheduler's heartbeat: one row the leading scheduler touches every minute."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from estapp.db import Base, UTCDateTime


class SchedulerHeartbeat(Base):
    """When a scheduler process last showed it was alive, and which one (host and pid).

    ``/healthz`` on every web host reads it, so a scheduler that died on another host is seen.
    """

    __tablename__ = "scheduler_heartbeat"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    host: Mapped[str] = mapped_column(String(255))

    def __repr__(self) -> str:
        return f"<SchedulerHeartbeat {self.name} {self.beat_at.isoformat()} {self.host}>"
