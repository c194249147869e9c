"""Languages and Swedish formatting of dates and weeks (Flask-Babel, Swedish first)."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel import dates
from babel.support import NullTranslations
from flask import Flask
from flask_babel import Babel, format_date, format_datetime, get_locale, get_translations
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


_catalogues: dict[str, NullTranslations] = {}


def _catalogue() -> NullTranslations:
    """The catalogue of the locale in force (force_locale included), kept per locale.

    Flask-Babel's own template callables look the request's domain, locale and catalogue up on
    every string; a page with a long table translates a few hundred strings.
    """
    key = str(get_locale())
    catalogue = _catalogues.get(key)
    if catalogue is None:
        catalogue = _catalogues[key] = get_translations()
    return catalogue


@lru_cache(maxsize=4096)
def _day_text(day: date, fmt: str, locale: str) -> str:
    """A day as text; a long table repeats the same few days on every row."""
    return dates.format_date(day, fmt, locale=locale)


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
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _catalogue().ugettext(s),
        ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue().unpgettext(c, s, p, n),
    )

    app.add_template_filter(week_label, "week_label")
    app.add_template_global(role_label, "role_label")
    app.add_template_global(kind_label, "kind_label")

    @app.template_filter("datetime")
    def _datetime(value: datetime | None, fmt: str = "d MMM yyyy HH:mm") -> str:
        return format_datetime(value, fmt) if value else ""

    @app.template_filter("date")
    def _date(value: date | None, fmt: str = "d MMM yyyy") -> str:
        if not value:
            return ""
        if type(value) is date:  # a datetime goes to the user's time zone first
            return _day_text(value, fmt, str(get_locale()))
        return format_date(value, fmt)

    @app.context_processor
    def language() -> dict[str, str]:
        return {"page_language": select_locale()}
