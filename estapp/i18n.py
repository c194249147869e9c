"""Languages and Swedish formatting of dates and weeks (Flask-Babel, Swedish first)."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import Babel, format_date, format_datetime
from flask_login import current_user

from estapp.config import Settings
from estapp.labels import kind_label, role_label
from estapp.weeks import IsoWeek

LANGUAGES = ("sv", "en")
babel = Babel()


def select_locale() -> str:
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    return "sv"


def week_label(week: IsoWeek) -> str:
    from flask_babel import gettext as _

    return _("vecka %(week)s, %(year)s", week=week.week, year=week.year)


def init_app(app: Flask, settings: Settings) -> None:
    app.config.update(
        BABEL_DEFAULT_LOCALE="sv",
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        BABEL_TRANSLATION_DIRECTORIES=str(app.root_path + "/translations"),
    )
    babel.init_app(app, locale_selector=select_locale)

    app.add_template_filter(week_label, "week_label")
    app.add_template_global(role_label, "role_label")
    app.add_template_global(kind_label, "kind_label")

    @app.template_filter("datetime")
    def _datetime(value: datetime | None, fmt: str = "d MMM yyyy HH:mm") -> str:
        return format_datetime(value, fmt) if value else ""

    @app.template_filter("date")
    def _date(value: date | None, fmt: str = "d MMM yyyy") -> str:
        return format_date(value, fmt) if value else ""

    @app.context_processor
    def language() -> dict[str, str]:
        return {"page_language": select_locale()}
