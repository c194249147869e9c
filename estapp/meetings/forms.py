"""Forms of the EST meeting and of "Mina åtgärder": shape and Swedish messages only; the rules
live in estapp.meetings.rules, and the choices are filled in by the views (the kommun's own)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, TextAreaField
from wtforms.validators import Length, StopValidation

from estapp.admin.fields import (
    ChoiceField,
    IsoDateField,
    MultiCheckboxField,
    object_id,
    optional_int,
)
from estapp.meetings import rules
from estapp.meetings.labels import STATUS_LABELS
from estapp.meetings.rules import ActionInput, FollowUpInput
from estapp.models import ActionStatus


def _clean(value: Any) -> Any:
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


def _text(label: Any, limit: int, *, rows: int, description: Any = None) -> TextAreaField:
    return TextAreaField(
        label,
        description=description,
        filters=[_clean],
        validators=[Length(max=limit, message=_l("Skriv högst %(max)d tecken."))],
        render_kw={"rows": rows},
    )


class CheckedChoiceField(ChoiceField):
    """A select of the kommun's objects whose value the service checks: it can say what is wrong
    with another kommun's object better than "not one of the choices"."""

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()


def _status(value: Any) -> ActionStatus | None:
    return ActionStatus(value) if value not in (None, "") else None


class StartMeetingForm(FlaskForm):
    week = ChoiceField(_l("Vilken veckas lägesbild går mötet igenom?"))


class AttendanceForm(FlaskForm):
    attendees = MultiCheckboxField(_l("Närvarande aktörer"), coerce=object_id)


class FocusForm(FlaskForm):
    focus_places = MultiCheckboxField(
        _l("Fokusplatser nästa vecka"),
        coerce=object_id,
        description=_l("Platser som partnerna håller extra uppsikt över nästa vecka."),
    )


class MinutesForm(FlaskForm):
    minutes = _text(
        _l("Protokoll"),
        rules.MINUTES_LENGTH,
        rows=14,
        description=_l("Utkastet är skrivet från mötet: närvaro, uppföljningar och nya åtgärder."),
    )
    decisions = _text(_l("Beslut"), rules.MINUTES_LENGTH, rows=5)


class ActionForm(FlaskForm):
    text = _text(_l("Åtgärd"), rules.TEXT_LENGTH, rows=3, description=_l("Vad ska göras?"))
    owner_organisation_id = CheckedChoiceField(_l("Ansvarig aktör"), coerce=optional_int)
    owner_user_id = CheckedChoiceField(_l("Ansvarig person"), coerce=optional_int)
    due_on = IsoDateField(_l("Klart senast"))
    where = CheckedChoiceField(_l("Plats eller område"))
    commitment_id = CheckedChoiceField(_l("Åtagande i medborgarlöftet"), coerce=optional_int)
    prompted_by = ChoiceField(_l("Utgår från (lägesbilden)"))

    def to_input(self) -> ActionInput:
        kind, _sep, number = (self.where.data or "").partition(":")
        # Anything malformed asks for an id that matches nothing, so the service refuses it.
        where_id = int(number) if number.isdigit() and len(number) < 12 else 0
        return ActionInput(
            text=self.text.data or "",
            owner_organisation_id=self.owner_organisation_id.data,
            owner_user_id=self.owner_user_id.data,
            due_on=self.due_on.data,
            area_id=where_id if kind == "omrade" or (kind and kind != "plats") else None,
            place_id=where_id if kind == "plats" else None,
            commitment_id=self.commitment_id.data,
            prompted_by=self.prompted_by.data or "",
        )


class FollowUpForm(FlaskForm):
    status = ChoiceField(
        _l("Status"),
        coerce=_status,
        choices=[SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()],
    )
    note = _text(_l("Anteckning"), rules.TEXT_LENGTH, rows=2)
    outcome = _text(_l("Resultat"), rules.TEXT_LENGTH, rows=2)

    def to_input(self) -> FollowUpInput:
        return FollowUpInput(
            status=self.status.data, note=self.note.data or "", outcome=self.outcome.data or ""
        )
