"""Forms of the lägesbild page: shape and Swedish messages only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from estapp.admin.fields import MultiCheckboxField
from estapp.lagesbild.services import MAX_TEXT_LENGTH


class AssessmentForm(FlaskForm):
    assessment = TextAreaField(
        _l("Bedömning"),
        description=_l("Vad visar veckan? Vad bör EST-mötet ta upp?"),
        validators=[Length(max=MAX_TEXT_LENGTH)],
        render_kw={"rows": 6},
    )
    notable_events = TextAreaField(
        _l("Särskilda händelser"),
        description=_l("Beskriv platser och situationer, aldrig enskilda personer."),
        validators=[Length(max=MAX_TEXT_LENGTH)],
        render_kw={"rows": 4},
    )
    focus_places = MultiCheckboxField(_l("Fokusplatser nästa vecka"), coerce=int)


class ButtonForm(FlaskForm):
    """Compile now, or publish: a button and the CSRF token."""
