"""Forms of the distribution pages: the list, and when and how the lägesbild goes out."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from estapp.admin.fields import MultiCheckboxField
from estapp.distribution.recipients import Document
from estapp.models import DistributionMode, DistributionTrigger, Municipality
from estapp.reporting.forms import clock_field, optional_id, weekday_field

DOCUMENT_CHOICES = [
    SelectChoice(Document.LAGESBILD.value, _l("Lägesbilden varje vecka")),
    SelectChoice(Document.PROTOKOLL.value, _l("Protokollet från EST-mötet")),
]


def documents_field() -> MultiCheckboxField:
    return MultiCheckboxField(
        _l("Dokument"),
        choices=DOCUMENT_CHOICES,
        default=[d.value for d in Document],
        validators=[InputRequired(_l("Välj minst ett dokument."))],
    )


class AddUserForm(FlaskForm):
    # The service checks the choice, so a stale page gets a message saying why.
    user = SelectField(
        _l("Användare"),
        coerce=optional_id,
        validate_choice=False,
        validators=[InputRequired(_l("Välj en användare."))],
    )
    documents = documents_field()


class AddExternalForm(FlaskForm):
    name = StringField(
        _l("Namn eller funktion"),
        description=_l("Till exempel ”Trygghetsvärdar, Ekbacka centrum”. Frivilligt."),
        validators=[Optional(), Length(max=150, message=_l("Högst 150 tecken."))],
    )
    email = EmailField(
        _l("E-postadress"),
        validators=[
            InputRequired(_l("Skriv en e-postadress.")),
            Length(max=254, message=_l("Högst 254 tecken.")),
        ],
    )
    documents = documents_field()


class DocumentsForm(FlaskForm):
    documents = documents_field()


class DistributionSettingsForm(FlaskForm):
    trigger = RadioField(
        _l("När skickas lägesbilden?"),
        choices=[
            SelectChoice(
                DistributionTrigger.PUBLISH.value,
                _l("När samordnaren fastställer en version (rekommenderas)"),
            ),
            SelectChoice(
                DistributionTrigger.COMPILE.value,
                _l("Direkt efter den automatiska sammanställningen på måndag morgon"),
            ),
        ],
        validators=[InputRequired(_l("Välj när lägesbilden skickas."))],
        invalid_choice_message=_l("Välj ett av alternativen."),
    )
    mode = RadioField(
        _l("Hur skickas den?"),
        choices=[
            SelectChoice(DistributionMode.ATTACHMENT.value, _l("Som PDF-bilaga")),
            SelectChoice(
                DistributionMode.LINK.value,
                _l("Bara som länk till estapp (mottagaren loggar in för att läsa)"),
            ),
        ],
        validators=[InputRequired(_l("Välj hur lägesbilden skickas."))],
        invalid_choice_message=_l("Välj ett av alternativen."),
    )
    reminders_enabled = BooleanField(_l("Påminn samverkansparter som inte har rapporterat"))
    reminder_weekday = weekday_field(_l("Första påminnelsen, veckodag"))
    reminder_time = clock_field(_l("Första påminnelsen, klockslag"))


def distribution_settings_form(
    municipality: Municipality, *, formdata: Any = None
) -> DistributionSettingsForm:
    """The form filled with the kommun's settings, or with what was posted (``formdata``)."""
    return DistributionSettingsForm(
        formdata=formdata,
        data={
            "trigger": municipality.distribution_trigger.value,
            "mode": municipality.distribution_mode.value,
            "reminders_enabled": municipality.reminders_enabled,
            "reminder_weekday": municipality.reminder_weekday,
            "reminder_time": municipality.reminder_time,
        },
    )
