"""Forms for weekly reporting and the coordinator's views: shape and Swedish messages only.

Choices that come from the database (areas, places, categories, organisations) are filled in by
the views; the services check them again, so a tampered form never gets further than a message.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from estapp.admin.fields import QuickSelectField
from estapp.models import Concern, TimeOfDay
from estapp.reporting.domain import MAX_DESCRIPTION_LENGTH, MAX_OCCURRENCES
from estapp.reporting.services import ObservationInput
from estapp.weeks import InvalidWeek, IsoWeek

OTHER_PLACE_LENGTH = 120

TIME_OF_DAY_CHOICES = [
    SelectChoice(TimeOfDay.NIGHT.value, _l("natt (00–06)")),
    SelectChoice(TimeOfDay.MORNING.value, _l("morgon (06–10)")),
    SelectChoice(TimeOfDay.DAY.value, _l("dag (10–18)")),
    SelectChoice(TimeOfDay.EVENING.value, _l("kväll (18–24)")),
]
CONCERN_CHOICES = [
    SelectChoice(Concern.LOW.value, _l("låg")),
    SelectChoice(Concern.MEDIUM.value, _l("medel")),
    SelectChoice(Concern.HIGH.value, _l("hög")),
]


def optional_id(value: Any) -> int | None:
    """Coerce a submitted id; empty or garbage becomes None, so a message can say what to do."""
    if value is None or isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


def without_nul(value: Any) -> Any:
    """Drop NUL characters, which no database text column accepts."""
    return value.replace("\x00", "") if isinstance(value, str) else value


def unreadable_stops(form: Any, field: Any) -> None:
    """Stop after a value that could not be read, so its message is the only one shown."""
    if field.process_errors:
        raise StopValidation()


class Chosen:
    """Require a choice in a select whose empty option means 'nothing chosen'."""

    def __init__(self, message: Any) -> None:
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is None:
            raise ValidationError(self.message)


class ObservationForm(FlaskForm):
    occurred_on = DateField(
        _l("Datum"),
        description=_l("Dagen det hände, inom veckan."),
        validators=[InputRequired(_l("Ange vilket datum det hände."))],
        invalid_value_message=_l("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-11-18."),
    )
    time_of_day = RadioField(
        _l("Tid på dygnet"),
        choices=TIME_OF_DAY_CHOICES,
        validate_choice=False,  # checked below, together with the exact time
    )
    exact_time = TimeField(
        _l("Exakt tid"),
        description=_l("Frivilligt. Anger du en tid avgör den tiden på dygnet."),
        validators=[Optional()],
        invalid_value_message=_l("Skriv tiden som TT:MM, till exempel 21:30."),
    )
    area_id = QuickSelectField(_l("Område"), coerce=optional_id, validate_choice=False)
    place_id = QuickSelectField(
        _l("Plats"),
        coerce=optional_id,
        validate_choice=False,
        description=_l("Platserna är grupperade per område."),
    )
    other_place = StringField(
        _l("Annan plats"),
        description=_l("Om platsen inte finns i listan: beskriv kort var, utan namn på personer."),
        filters=[without_nul],
        validators=[
            Length(
                max=OTHER_PLACE_LENGTH,
                message=_l("Skriv högst %(max)d tecken om platsen."),
            )
        ],
    )
    category_id = QuickSelectField(
        _l("Händelsetyp"),
        coerce=optional_id,
        validate_choice=False,
        validators=[Chosen(_l("Välj en händelsetyp."))],
    )
    description = TextAreaField(
        _l("Beskrivning"),
        description=_l(
            "Vad hände? Beskriv platsen och händelsen, aldrig personer. Högst %(max)d tecken.",
            max=MAX_DESCRIPTION_LENGTH,
        ),
        filters=[without_nul],
        validators=[
            InputRequired(_l("Beskriv kort vad som hände.")),
            Length(
                max=MAX_DESCRIPTION_LENGTH,
                message=_l(
                    "Beskrivningen får vara högst %(max)d tecken. Korta ner texten och spara igen."
                ),
            ),
        ],
    )
    occurrences = IntegerField(
        _l("Antal"),
        default=1,
        description=_l("Hur många gånger det hände under veckan, 1–%(max)d.", max=MAX_OCCURRENCES),
        validators=[
            InputRequired(_l("Ange antal, till exempel 1.")),
            unreadable_stops,
            NumberRange(
                min=1,
                max=MAX_OCCURRENCES,
                message=_l("Ange antal som ett heltal från %(min)s till %(max)s."),
            ),
        ],
        invalid_value_message=_l("Ange antal som ett heltal, till exempel 3."),
    )
    concern = RadioField(
        _l("Oro"),
        choices=CONCERN_CHOICES,
        validators=[InputRequired(_l("Välj hur oroande det är: låg, medel eller hög."))],
        invalid_choice_message=_l("Välj låg, medel eller hög."),
    )
    accept_name_warning = BooleanField(_l("Det är inte en person (t.ex. ett gatunamn)"))

    # Set by the view, so the date is checked together with the other fields.
    week: IsoWeek | None = None
    today: date | None = None

    def validate_occurred_on(self, field: Any) -> None:
        day = field.data
        if day is None:
            return  # not a date: the field already says how to write one
        if self.week is not None and not self.week.contains(day):
            raise ValidationError(
                _l(
                    "Datumet måste ligga i vecka %(week)s (%(monday)s–%(sunday)s).",
                    week=self.week.week,
                    monday=self.week.monday.isoformat(),
                    sunday=self.week.sunday.isoformat(),
                )
            )
        if self.today is not None and day > self.today:
            raise ValidationError(_l("Datumet ligger i framtiden. Ange dagen det hände."))

    def validate_time_of_day(self, field: Any) -> None:
        if field.data:
            if field.data not in {choice.value for choice in TIME_OF_DAY_CHOICES}:
                raise ValidationError(_l("Välj natt, morgon, dag eller kväll."))
            return
        typed_time = "".join(self.exact_time.raw_data or []).strip()
        if not typed_time:
            raise ValidationError(_l("Välj tid på dygnet eller ange en exakt tid."))

    def validate_area_id(self, field: Any) -> None:
        if field.data is None and self.place_id.data is None:
            raise ValidationError(_l("Välj ett område."))

    def to_input(self) -> ObservationInput:
        """The validated values, as the reporting services take them."""
        time_of_day = self.time_of_day.data
        return ObservationInput(
            occurred_on=self.occurred_on.data,
            time_of_day=TimeOfDay(time_of_day) if time_of_day else None,
            exact_time=self.exact_time.data,
            area_id=self.area_id.data or 0,
            place_id=self.place_id.data,
            other_place=(self.other_place.data or "").strip() or None,
            category_id=self.category_id.data or 0,
            description=self.description.data or "",
            occurrences=self.occurrences.data or 0,
            concern=Concern(self.concern.data),
            accept_name_warning=bool(self.accept_name_warning.data),
        )


class SubmitForm(FlaskForm):
    """Submitting the week; the revision recognises a page opened before later changes."""

    revision = HiddenField()

    def revision_number(self) -> int | None:
        text = (self.revision.data or "").strip()
        return int(text) if text.isdigit() and len(text) < 12 else None


class CorrectionForm(FlaskForm):
    category_id = QuickSelectField(
        _l("Händelsetyp"),
        coerce=optional_id,
        validate_choice=False,
        validators=[Chosen(_l("Välj en händelsetyp."))],
    )
    place_id = QuickSelectField(_l("Plats"), coerce=optional_id, validate_choice=False)


class NewPlaceForm(FlaskForm):
    name = StringField(
        _l("Namn på den nya platsen"),
        filters=[without_nul],
        validators=[
            InputRequired(_l("Skriv ett namn på platsen.")),
            Length(max=150, message=_l("Skriv högst %(max)d tecken.")),
        ],
    )


class WeekText(StringField):
    """An ISO week typed as 2026-W47; the Swedish reason is shown at the field."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        self.week: IsoWeek | None = None
        text = (self.data or "").strip()
        if text:
            try:
                self.week = IsoWeek.parse(text)
            except InvalidWeek as problem:
                message = str(problem)
                raise ValueError(message[:1].upper() + message[1:] + ".") from None


class ObservationFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form: nothing changes

    fran = WeekText(_l("Från vecka"), description=_l("Till exempel 2026-W40"))
    till = WeekText(_l("Till vecka"), description=_l("Till exempel 2026-W47"))
    omrade = QuickSelectField(_l("Område"), coerce=optional_id, validate_choice=False)
    plats = QuickSelectField(_l("Plats"), coerce=optional_id, validate_choice=False)
    typ = QuickSelectField(_l("Händelsetyp"), coerce=optional_id, validate_choice=False)
    aktor = QuickSelectField(_l("Aktör"), coerce=optional_id, validate_choice=False)

    def validate_till(self, field: Any) -> None:
        first = getattr(self.fran, "week", None)
        last = getattr(field, "week", None)
        if first and last and last < first:
            raise ValidationError(_l("Till-veckan ligger före från-veckan. Byt plats på dem."))


class ImportForm(FlaskForm):
    file = FileField(
        _l("Fil att importera"),
        description=_l("En CSV-fil (.csv) eller en Excel-arbetsbok (.xlsx) enligt mallen."),
        validators=[
            FileRequired(_l("Välj en fil att importera.")),
            FileAllowed(
                ["csv", "xlsx", "txt"],
                _l("Välj en CSV-fil (.csv) eller en Excel-arbetsbok (.xlsx)."),
            ),
        ],
    )


WEEKDAYS = (
    _l("måndag"),
    _l("tisdag"),
    _l("onsdag"),
    _l("torsdag"),
    _l("fredag"),
    _l("lördag"),
    _l("söndag"),
)


def weekday_field(label: Any) -> SelectField:
    """A day of the week, 0 = Monday."""
    return SelectField(
        label,
        choices=[SelectChoice(str(day), name) for day, name in enumerate(WEEKDAYS)],
        coerce=int,
        validators=[InputRequired(_l("Välj en veckodag."))],
        invalid_value_message=_l("Välj en veckodag i listan."),
        invalid_choice_message=_l("Välj en veckodag i listan."),
    )


def clock_field(label: Any) -> TimeField:
    """A local time of day, HH:MM."""
    return TimeField(
        label,
        description=_l("Lokal tid, till exempel 09:00."),
        invalid_value_message=_l("Skriv tiden som TT:MM, till exempel 09:00."),
        validators=[InputRequired(_l("Ange ett klockslag, till exempel 09:00."))],
    )


class DeadlineForm(FlaskForm):
    """When a kommun's weekly reports are due, in the week after the reported week."""

    deadline_weekday = weekday_field(_l("Veckodag"))
    deadline_time = clock_field(_l("Klockslag"))
