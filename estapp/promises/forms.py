"""Forms for medborgarlöften: shape and Swedish messages only; the rules live in the services."""

from __future__ import annotations

import math
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
    ValidationError,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, StopValidation

from estapp.admin.fields import ChoiceField, IsoDateField, MultiCheckboxField, at_least_one
from estapp.models import Commitment, IndicatorDirection, PromiseStatus, ResponsibleParty
from estapp.promises import rules
from estapp.promises.labels import DIRECTION_LABELS
from estapp.promises.rules import CommitmentInput, ProblemAreaInput, PromiseInput


def clean_text(value: Any) -> Any:
    """Trim and drop NUL characters, which no database text column accepts."""
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


def _too_long(limit: int) -> Length:
    return Length(max=limit, message=_l("Skriv högst %(max)d tecken."))


def _text(label: Any, description: Any = None, *, rows: int = 4) -> TextAreaField:
    return TextAreaField(
        label,
        description=description,
        filters=[clean_text],
        validators=[_too_long(rules.TEXT_LENGTH)],
        render_kw={"rows": rows},
    )


def _unreadable_stops(form: Any, field: Any) -> None:
    if field.process_errors:
        raise StopValidation()


def _year(label: Any, description: Any, required: Any) -> IntegerField:
    return IntegerField(
        label,
        description=description,
        widget=widgets.TextInput(),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
        validators=[
            InputRequired(required),
            _unreadable_stops,
            NumberRange(
                min=rules.FIRST_YEAR,
                max=rules.LAST_YEAR,
                message=_l("Skriv ett årtal mellan %(min)s och %(max)s."),
            ),
        ],
        invalid_value_message=_l("Skriv året med fyra siffror, till exempel 2025."),
    )


# --- the promise ---------------------------------------------------------------------------


class ProblemAreaForm(Form):
    """One row of the promise's problem areas; ``id`` is empty for a new one."""

    id = HiddenField()
    name = StringField(
        _l("Rubrik"),
        filters=[clean_text],
        validators=[_too_long(rules.PROBLEM_AREA_NAME_LENGTH)],
    )
    description = _text(_l("Beskrivning"), rows=3)
    remove = BooleanField(_l("Ta bort problemområdet"))

    def area_id(self) -> int | None:
        text = str(self.id.data or "").strip()
        return int(text) if text.isdigit() and len(text) < 12 else None

    def is_blank(self) -> bool:
        return not (self.name.data or "").strip() and not (self.description.data or "").strip()


STATUS_CHOICES = [
    SelectChoice(PromiseStatus.DRAFT.value, _l("Utkast – syns bara för kommunens samordnare")),
    SelectChoice(PromiseStatus.ACTIVE.value, _l("Gäller – alla i kommunens EST-grupp kan läsa")),
    SelectChoice(PromiseStatus.ENDED.value, _l("Avslutat – perioden är slut")),
]


class PromiseForm(FlaskForm):
    title = StringField(
        _l("Rubrik"),
        description=_l("Till exempel Medborgarlöfte för Töreboda 2023–2024."),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Skriv medborgarlöftets rubrik.")),
            _too_long(rules.TITLE_LENGTH),
        ],
    )
    period_start = _year(
        _l("Första året"), _l("Året löftet börjar gälla."), _l("Skriv vilket år löftet börjar.")
    )
    period_end = _year(
        _l("Sista året"),
        _l("Samma år som det första om löftet gäller ett år. Ett löfte gäller högst två år."),
        _l("Skriv vilket år löftet slutar. Samma år som det första om det gäller ett år."),
    )
    status = RadioField(
        _l("Status"),
        choices=STATUS_CHOICES,
        default=PromiseStatus.DRAFT.value,
        validators=[InputRequired(_l("Välj utkast, gäller eller avslutat."))],
        invalid_choice_message=_l("Välj utkast, gäller eller avslutat."),
    )
    summary = _text(
        _l("Löftet i korthet"),
        _l("Inledningen, till exempel ”Vårt löfte till dig”: vad kommunen och polisen lovar."),
    )
    background = _text(
        _l("Bakgrund"),
        _l(
            "Hur lägesbilden togs fram (medborgardialoger, trygghetsmätningar, statistik) och "
            "vad den visar."
        ),
        rows=6,
    )
    problem_areas = FieldList(
        FormField(ProblemAreaForm), min_entries=1, max_entries=rules.MAX_PROBLEM_AREAS + 2
    )
    goal = _text(
        _l("Det här vill vi åstadkomma"),
        _l("Målet med löftet och hur ni mäter om ni har nått det."),
    )
    follow_up = _text(
        _l("Uppföljning och återkoppling"),
        _l("Hur löftet som helhet följs upp, och hur invånarna får veta hur det går."),
    )
    signed_on = IsoDateField(
        _l("Undertecknat"),
        description=_l("Frivilligt. Datum som ÅÅÅÅ-MM-DD."),
        render_kw={"autocomplete": "off"},
    )
    signatories = _text(
        _l("Undertecknat av"),
        _l("Frivilligt. Till exempel kommunstyrelsens ordförande och lokalpolisområdeschefen."),
        rows=2,
    )
    contact = _text(
        _l("Kontakt"),
        _l("Frivilligt. Vem invånarna kan höra av sig till, till exempel kommunpolisen."),
        rows=3,
    )

    def validate_period_end(self, field: Field) -> None:
        if self.period_start.errors or self.period_start.data is None or field.data is None:
            return
        problem = rules.period_problems(self.period_start.data, field.data).get("period_end")
        if problem:
            raise ValidationError(problem)

    def kept_areas(self) -> list[tuple[int, ProblemAreaForm]]:
        """The problem-area rows to keep, with their row number: not blank, not removed."""
        return [
            (index, entry.form)
            for index, entry in enumerate(self.problem_areas.entries)
            if not entry.form.remove.data and not entry.form.is_blank()
        ]

    def to_input(self) -> PromiseInput:
        """The typed values, as the services take them."""
        return PromiseInput(
            title=self.title.data or "",
            period_start=self.period_start.data or 0,
            period_end=self.period_end.data or 0,
            status=PromiseStatus(self.status.data),
            summary=self.summary.data or "",
            background=self.background.data or "",
            problem_areas=[
                ProblemAreaInput(
                    name=area.name.data or "",
                    description=area.description.data or "",
                    id=area.area_id(),
                )
                for _index, area in self.kept_areas()
            ],
            goal=self.goal.data or "",
            follow_up=self.follow_up.data or "",
            signed_on=self.signed_on.data,
            signatories=self.signatories.data or "",
            contact=self.contact.data or "",
        )


# --- a commitment ----------------------------------------------------------------------------


class NumberText(StringField):
    """A number typed the Swedish way too (12,5) in a plain text box; empty means none."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not text:
            return
        try:
            number = float(text.replace(" ", "").replace(",", ".").replace("−", "-"))
        except ValueError:
            raise ValueError(
                _l("Skriv målvärdet som ett tal, till exempel 75 eller 12,5.")
            ) from None
        if not math.isfinite(number):
            raise ValueError(_l("Skriv målvärdet som ett tal, till exempel 75 eller 12,5."))
        self.data = number

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return f"{self.data:g}".replace(".", ",")


PARTY_CHOICES = [
    SelectChoice(ResponsibleParty.KOMMUN.value, _l("Kommunen")),
    SelectChoice(ResponsibleParty.POLIS.value, _l("Polisen")),
    SelectChoice(ResponsibleParty.OTHERS.value, _l("Andra (skriv vilka nedan)")),
]


def _optional_direction(value: Any) -> IndicatorDirection | None:
    return IndicatorDirection(value) if value not in (None, "") else None


class CommitmentForm(FlaskForm):
    text = TextAreaField(
        _l("Åtagande"),
        description=_l(
            "Det ni lovar, med löftets egna ord, till exempel ”Polisen ska genomföra riktade "
            "trafikkontroller på prioriterade platser.”"
        ),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Skriv vad ni lovar, till exempel ”Vi ska …”.")),
            _too_long(rules.TEXT_LENGTH),
        ],
        render_kw={"rows": 4},
    )
    responsible = MultiCheckboxField(
        _l("Ansvarig"),
        description=_l("Välj en eller flera. Kommunen och polisen tillsammans: välj båda."),
        choices=PARTY_CHOICES,
        validators=[at_least_one(_l("Välj vem som ansvarar: kommunen, polisen eller andra."))],
    )
    responsible_detail = StringField(
        _l("Ansvarig funktion eller aktör"),
        description=_l(
            "Frivilligt för kommunen och polisen, till exempel Gruppchef eller Folkhälsostrateg. "
            "Har du valt andra: skriv vilka, till exempel Fastighetsägare, Räddningstjänsten."
        ),
        filters=[clean_text],
        validators=[_too_long(rules.RESPONSIBLE_DETAIL_LENGTH)],
    )
    scope = _text(
        _l("Omfattning"),
        _l("Hur mycket och hur länge, till exempel Löpande eller 2 trygghetsvandringar per år."),
        rows=2,
    )
    follow_up = _text(
        _l("Uppföljning"), _l("Hur och av vem åtagandet följs upp under året."), rows=2
    )
    evaluation = _text(
        _l("Utvärdering"), _l("Hur och av vem det utvärderas om åtagandet gav effekt."), rows=2
    )
    problem_areas = MultiCheckboxField(
        _l("Problemområden"),
        description=_l("Frivilligt. Vilka av löftets problemområden åtagandet gäller."),
        coerce=int,
    )
    indicator_name = StringField(
        _l("Indikatorns namn"),
        description=_l(
            "Frivilligt. Något som kan mätas, till exempel Andel som känner sig trygga i centrum."
        ),
        filters=[clean_text],
        validators=[_too_long(rules.INDICATOR_NAME_LENGTH)],
    )
    indicator_unit = StringField(
        _l("Enhet"),
        description=_l("Till exempel procent eller antal."),
        filters=[clean_text],
        validators=[_too_long(rules.INDICATOR_UNIT_LENGTH)],
    )
    indicator_direction = ChoiceField(
        _l("Riktning"),
        choices=[
            SelectChoice("", _l("Ingen angiven")),
            *(SelectChoice(d.value, label) for d, label in DIRECTION_LABELS.items()),
        ],
        coerce=_optional_direction,
    )
    indicator_target = NumberText(
        _l("Målvärde"),
        description=_l("Frivilligt. Ett tal, till exempel 75."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
        validators=[_unreadable_stops],
    )
    indicator_note = _text(
        _l("Om indikatorn"),
        _l("Frivilligt. Till exempel källa och utgångsläge: Trygghetsmätningen 2024, 62 %."),
        rows=2,
    )
    public_note = _text(
        _l("Till invånarna"),
        _l(
            "Frivilligt. Kort om hur arbetet med åtagandet går, skrivet så att det kan visas "
            "för allmänheten."
        ),
        rows=3,
    )

    def validate_responsible_detail(self, field: Field) -> None:
        if ResponsibleParty.OTHERS.value in (self.responsible.data or []) and not field.data:
            raise ValidationError(rules.OTHERS_NEED_DETAIL)

    def validate_indicator_name(self, field: Field) -> None:
        described = (
            self.indicator_unit.data
            or self.indicator_direction.data
            or self.indicator_target.data is not None
            or self.indicator_note.data
        )
        if described and not field.data:
            raise ValidationError(rules.INDICATOR_NEEDS_NAME)

    @staticmethod
    def data_of(commitment: Commitment) -> dict[str, Any]:
        """A stored commitment as the form shows it."""
        return {
            "text": commitment.text,
            "responsible": [
                party.value for party in ResponsibleParty if party in commitment.responsible
            ],
            "responsible_detail": commitment.responsible_detail,
            "scope": commitment.scope,
            "follow_up": commitment.follow_up,
            "evaluation": commitment.evaluation,
            "problem_areas": [area.id for area in commitment.problem_areas],
            "indicator_name": commitment.indicator_name,
            "indicator_unit": commitment.indicator_unit,
            "indicator_direction": commitment.indicator_direction,
            "indicator_target": commitment.indicator_target,
            "indicator_note": commitment.indicator_note,
            "public_note": commitment.public_note,
        }

    def to_input(self) -> CommitmentInput:
        """The typed values, as the services take them."""
        return CommitmentInput(
            text=self.text.data or "",
            responsible=frozenset(ResponsibleParty(v) for v in self.responsible.data or []),
            responsible_detail=self.responsible_detail.data or "",
            scope=self.scope.data or "",
            follow_up=self.follow_up.data or "",
            evaluation=self.evaluation.data or "",
            problem_area_ids=tuple(self.problem_areas.data or ()),
            indicator_name=self.indicator_name.data or "",
            indicator_unit=self.indicator_unit.data or "",
            indicator_direction=self.indicator_direction.data,
            indicator_target=self.indicator_target.data,
            indicator_note=self.indicator_note.data or "",
            public_note=self.public_note.data or "",
        )
