"""The one exception admin services raise when a change would break a rule."""

from __future__ import annotations

from flask_babel import LazyString


class InvalidChange(Exception):
    """A change breaks a rule; ``field`` names the form field the message belongs to."""

    def __init__(self, field: str | None, message: str | LazyString) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message
