"""Forms of the EST meeting and of "Mina åtgärder": shape and Swedish messages only; the rules
live in estapp.meetings.rules, and the choices are filled in by the views (the kommun's own)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import SelectChoice, TextAreaField
from wtforms.validators import Length, StopValidation

from estapp.admin.fields import (
    ChoiceField,
    IsoDateField,
    MultiCheckboxField,
    QuickSelect,
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


@dataclass(frozen=True)
class _Checkbox:
    """One checkbox of a :class:`QuickCheckboxField`, drawn as WTForms draws its options."""

    id: str
    name: str
    value: Any
    text: Any
    checked: bool

    def __call__(self) -> Markup:
        checked = "checked " if self.checked else ""
        value = escape(str(self.value))
        # The id and name are the form's own; the value is escaped above.
        return Markup(  # noqa: S704
            f'<input {checked}id="{self.id}" name="{self.name}" type="checkbox" value="{value}">'
        )

    def label(self) -> Markup:
        return Markup(f'<label for="{self.id}">{escape(self.text)}</label>')  # noqa: S704


class QuickCheckboxField(MultiCheckboxField):
    """Checkboxes for a large city's many partners or places.

    WTForms binds a whole field for every option it draws; this field hands the template light
    checkboxes with the same markup instead, at a fraction of the cost.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.type = "MultiCheckboxField"  # the form macros draw it as a group of checkboxes

    def __iter__(self) -> Iterator[_Checkbox]:
        chosen = set(self.data or ())
        for number, choice in enumerate(self._choices_from_input(self.choices) or ()):
            checked = self.coerce(choice.value) in chosen
            text = choice.label or choice.value
            yield _Checkbox(f"{self.id}-{number}", self.name, choice.value, text, checked)


class StartMeetingForm(FlaskForm):
    week = ChoiceField(_l("Vilken veckas lägesbild går mötet igenom?"))


class AttendanceForm(FlaskForm):
    attendees = QuickCheckboxField(_l("Närvarande aktörer"), coerce=object_id)


class FocusForm(FlaskForm):
    focus_places = QuickCheckboxField(
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
    # The selects list a large city's hundreds of partners, people and places.
    text = _text(_l("Åtgärd"), rules.TEXT_LENGTH, rows=3, description=_l("Vad ska göras?"))
    owner_organisation_id = CheckedChoiceField(
        _l("Ansvarig aktör"), coerce=optional_int, widget=QuickSelect()
    )
    owner_user_id = CheckedChoiceField(
        _l("Ansvarig person"), coerce=optional_int, widget=QuickSelect()
    )
    due_on = IsoDateField(_l("Klart senast"))
    where = CheckedChoiceField(_l("Plats eller område"), widget=QuickSelect())
    commitment_id = CheckedChoiceField(
        _l("Åtagande i medborgarlöftet"), coerce=optional_int, widget=QuickSelect()
    )
    prompted_by = ChoiceField(_l("Utgår från (lägesbilden)"), widget=QuickSelect())

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


def status_choices() -> list[SelectChoice]:
    """The statuses in the user's language, translated once for a page of follow-up forms."""
    return [SelectChoice(status.value, str(label)) for status, label in STATUS_LABELS.items()]


class FollowUpForm(FlaskForm):
    status = ChoiceField(
        _l("Status"),
        coerce=_status,
        choices=[SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()],
        widget=QuickSelect(),  # the meeting page draws a page of these forms
    )
    note = _text(_l("Anteckning"), rules.TEXT_LENGTH, rows=2)
    outcome = _text(_l("Resultat"), rules.TEXT_LENGTH, rows=2)

    def to_input(self) -> FollowUpInput:
        return FollowUpInput(
            status=self.status.data, note=self.note.data or "", outcome=self.outcome.data or ""
        )
