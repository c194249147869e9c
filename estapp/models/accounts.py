"""Users, their server-side login sessions, login attempts and set-password links."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from estapp.db import Base, UTCDateTime, text_enum, utcnow
from estapp.models.geography import Municipality, Organisation


class Role(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    REPORTER = "reporter"
    VIEWER = "viewer"


user_municipality = Table(
    "user_municipality",
    Base.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "municipality_id",
        ForeignKey("municipality.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class User(UserMixin, Base):
    __tablename__ = "user_account"

    # The server-side session this request was authenticated with; never stored on the row.
    session_token = None

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(text_enum(Role))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(5), default="sv")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation | None] = relationship()
    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=user_municipality, order_by="Municipality.name"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    def get_id(self) -> str | None:
        """Identify the login by its session token, so ending the session logs it out."""
        return self.session_token

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class AuthSession(Base):
    """A login on the server side; deleting the row ends it, whatever the cookie says."""

    __tablename__ = "auth_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<AuthSession {self.id} user={self.user_id}>"


class LoginAttempt(Base):
    """Failed logins, kept in the database so throttling holds across workers and hosts."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<LoginAttempt {self.id} at {self.attempted_at:%Y-%m-%d %H:%M}>"


class PasswordToken(Base):
    """A one-time link for an invited user (or a reset) to set a password."""

    __tablename__ = "password_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<PasswordToken {self.id} user={self.user_id}>"
