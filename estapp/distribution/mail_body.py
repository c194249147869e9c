"""The two parts of an e-mail, rendered from a pair of templates, always in Swedish."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import force_locale


def render_mail(template: str, **context: Any) -> tuple[str, str]:
    """``template`` without suffix (e.g. ``mail/reminder``): its ``.txt`` and ``.html``.

    The mails go to partners whatever language they chose in the app, so they are Swedish.
    Needs an app context (the scheduler gives its jobs one).
    """
    with force_locale("sv"):
        return (
            render_template(f"{template}.txt", **context),
            render_template(f"{template}.html", **context),
        )
