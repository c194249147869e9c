"""Authentication operations: each takes the session and ``now``, flushes, never commits."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from estapp.audit import record
from estapp.auth.passwords import hash_password, needs_rehash, verify_password
from estapp.models import AuthSession, LoginAttempt, PasswordToken, User

PASSWORD_TOKEN_LIFETIME = timedelta(days=7)


def _digest(token: str) -> str:
    """Store only a hash of a token, so a database copy cannot be used to log in."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


class LoginOutcome(Enum):
    OK = "ok"
    WRONG_CREDENTIALS = "wrong"
    THROTTLED = "throttled"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int
    window: timedelta


def is_throttled(
    session: Session, email: str, address: str, policy: ThrottlePolicy, *, now: datetime
) -> bool:
    """True when the account or the address has used up its failed attempts in the window."""
    since = now - policy.window
    by_email = session.scalar(
        select(func.count()).where(LoginAttempt.email == email, LoginAttempt.attempted_at > since)
    )
    by_address = session.scalar(
        select(func.count()).where(
            LoginAttempt.address == address, LoginAttempt.attempted_at > since
        )
    )
    return max(by_email or 0, by_address or 0) >= policy.max_failures


def _record_failed_login(
    session: Session, user: User | None, address: str, reason: str, *, now: datetime
) -> None:
    """Audit a failed login against the account it named, never the address as typed: a
    mistyped address (or a password typed into the wrong box) is nobody's to keep. Refusals
    while throttled are not written, so a flood of attempts cannot flood the log."""
    record(
        session,
        None,
        "login_failed",
        "user",
        user.id if user else None,
        details={"reason": reason, "address": address},
        now=now,
    )


def _one_attempt_at_a_time(session: Session, email: str, address: str) -> None:
    """Hold back other attempts on the same account or from the same address until this
    transaction ends: web workers counting failures at the same moment could otherwise each
    let one more guess through. (SQLite serves a single process and needs no such lock.)"""
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = {
        int.from_bytes(
            hashlib.sha256(f"login:{kind}:{value}".encode()).digest()[:8], "big", signed=True
        )
        for kind, value in (("email", email), ("address", address))
    }
    for key in sorted(keys):  # always in the same order, so two attempts never deadlock
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def authenticate(
    session: Session,
    email: str,
    password: str,
    address: str,
    policy: ThrottlePolicy,
    *,
    now: datetime,
) -> LoginResult:
    """Check a login attempt against the throttle, the password and the account state."""
    email = normalise_email(email)
    _one_attempt_at_a_time(session, email, address)
    if is_throttled(session, email, address, policy, now=now):
        return LoginResult(LoginOutcome.THROTTLED)
    user = session.scalar(select(User).where(User.email == email))
    if user is None or not verify_password(user.password_hash, password):
        session.add(LoginAttempt(email=email, address=address, attempted_at=now))
        reason = "unknown_account" if user is None else "wrong_password"
        _record_failed_login(session, user, address, reason, now=now)
        session.flush()
        return LoginResult(LoginOutcome.WRONG_CREDENTIALS)
    if not user.active:
        _record_failed_login(session, user, address, "inactive_account", now=now)
        return LoginResult(LoginOutcome.INACTIVE)
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
    return LoginResult(LoginOutcome.OK, user)


def start_session(session: Session, user: User, *, now: datetime) -> str:
    """Open a server-side session and return the token the cookie will carry."""
    token = secrets.token_urlsafe(32)
    session.add(AuthSession(token_hash=_digest(token), user=user, created_at=now, last_seen_at=now))
    record(session, user, "login", "user", user.id, now=now)
    session.flush()
    return token


@dataclass(frozen=True)
class Resumed:
    """The user of a live session (None when it has ended); ``idled_out`` when it ended just
    now for lack of activity, so the login page can say why."""

    user: User | None
    idled_out: bool = False


def resume_session(
    session: Session,
    token: str,
    *,
    idle_timeout: timedelta,
    lifetime: timedelta,
    now: datetime,
) -> Resumed:
    """Resume a live session; end it when it has idled out or expired."""
    auth = session.scalar(select(AuthSession).where(AuthSession.token_hash == _digest(token)))
    if auth is None:
        return Resumed(None)
    idle = now - auth.last_seen_at > idle_timeout
    if idle or now - auth.created_at > lifetime or not auth.user.active:
        session.delete(auth)
        session.flush()
        return Resumed(None, idled_out=idle and auth.user.active)
    # Writing on every request would serialise readers; a minute of slack is harmless.
    if now - auth.last_seen_at > timedelta(minutes=1):
        auth.last_seen_at = now
    return Resumed(auth.user)


def end_session(session: Session, token: str, *, now: datetime) -> None:
    """Delete the server-side session, so a copied cookie stops working."""
    auth = session.scalar(select(AuthSession).where(AuthSession.token_hash == _digest(token)))
    if auth is not None:
        record(session, auth.user, "logout", "user", auth.user_id, now=now)
        session.delete(auth)
        session.flush()


def end_all_sessions(session: Session, user: User) -> None:
    session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))


def change_password(
    session: Session, user: User, new_password: str, *, keep_token: str | None, now: datetime
) -> None:
    """Set a new password and end every other session of the user."""
    user.password_hash = hash_password(new_password)
    condition = AuthSession.user_id == user.id
    if keep_token:
        condition = condition & (AuthSession.token_hash != _digest(keep_token))
    session.execute(delete(AuthSession).where(condition))
    record(session, user, "password_changed", "user", user.id, now=now)
    session.flush()


def issue_password_token(session: Session, user: User, *, now: datetime) -> str:
    """Create a set-password link token for an invited user; earlier links stop working."""
    session.execute(
        delete(PasswordToken).where(
            PasswordToken.user_id == user.id, PasswordToken.used_at.is_(None)
        )
    )
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordToken(
            token_hash=_digest(token), user=user, expires_at=now + PASSWORD_TOKEN_LIFETIME
        )
    )
    session.flush()
    return token


def find_password_token(session: Session, token: str, *, now: datetime) -> PasswordToken | None:
    """Return the unused, unexpired token row, or None."""
    row = session.scalar(select(PasswordToken).where(PasswordToken.token_hash == _digest(token)))
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    return row


def use_password_token(
    session: Session, row: PasswordToken, new_password: str, *, now: datetime
) -> User:
    """Set the password from a set-password link and spend the link."""
    row.used_at = now
    change_password(session, row.user, new_password, keep_token=None, now=now)
    return row.user


def purge_old_login_attempts(session: Session, policy: ThrottlePolicy, *, now: datetime) -> int:
    result = session.execute(
        delete(LoginAttempt).where(LoginAttempt.attempted_at <= now - policy.window)
    )
    return result.rowcount or 0


def email_taken(session: Session, email: str, *, exclude_id: int | None = None) -> bool:
    query = select(User.id).where(User.email == normalise_email(email))
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    return session.scalar(query) is not None


__all__ = [
    "LoginOutcome",
    "LoginResult",
    "Resumed",
    "ThrottlePolicy",
    "authenticate",
    "change_password",
    "email_taken",
    "end_all_sessions",
    "end_session",
    "find_password_token",
    "is_throttled",
    "issue_password_token",
    "normalise_email",
    "purge_old_login_attempts",
    "resume_session",
    "start_session",
    "use_password_token",
]
