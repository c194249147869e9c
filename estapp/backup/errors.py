"""The one error of backup and restore: a refusal with a clear Swedish message."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError


class BackupError(Exception):
    """Export or import refused or failed; the message is one Swedish line for the user."""


def database_reason(error: SQLAlchemyError) -> str:
    """The first line of what the database said, without SQLAlchemy's SQL and links."""
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(original).__name__
