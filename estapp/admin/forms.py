"""Admin forms: shape and Swedish messages only; the rules that need the database are services'."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, IntegerField, SelectChoice, StringField, ValidationError
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from estapp.admin.fields import (
    MAX_ID,
    ChoiceField,
    CoordinateField,
    GeoJSONField,
    IsoDateField,
    MultiCheckboxField,
    at_least_one,
    lower,
    object_id,
    optional_int,
    optional_kind,
    optional_role,
    strip,
)
from estapp.labels import KIND_LABELS, ROLE_LABELS
from estapp.reporting.forms import unreadable_stops

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _name_field(label: Any, required: Any, max_length: int) -> StringField:
    return StringField(
        label,
        filters=[strip],
        validators=[
            DataRequired(required),
            Length(max=max_length, message=_l("Skriv högst %(max)d tecken.")),
        ],
    )


# --- kommuner, aktörer, områden, platser, händelsetyper --------------------------------------


class MunicipalityForm(FlaskForm):
    name = _name_field(_l("Namn"), _l("Skriv kommunens namn."), 100)
    slug = StringField(
        _l("Kortnamn"),
        description=_l(
            "Används i adresser. Små bokstäver a–z, siffror och bindestreck, "
            "till exempel ale eller lilla-edet."
        ),
        filters=[strip, lower],
        validators=[
            DataRequired(_l("Skriv ett kortnamn.")),
            Length(max=60, message=_l("Skriv högst %(max)d tecken.")),
            Regexp(
                SLUG_PATTERN,
                message=_l(
                    "Kortnamnet får bara innehålla a–z (inte å, ä, ö), siffror och bindestreck "
                    "mellan orden, till exempel lilla-edet."
                ),
            ),
        ],
    )


class OrganisationForm(FlaskForm):
    name = _name_field(_l("Namn"), _l("Skriv aktörens namn."), 150)
    kind = ChoiceField(
        _l("Typ av aktör"),
        choices=[SelectChoice("", _l("Välj typ"))]
        + [SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        coerce=optional_kind,
        validators=[DataRequired(_l("Välj vilken typ av aktör det är."))],
    )
    municipalities = MultiCheckboxField(
        _l("Kommuner"),
        description=_l("Kommunerna aktören samverkar i. Välj minst en."),
        coerce=object_id,
        validate_choice=False,
        validators=[at_least_one(_l("Välj minst en kommun som aktören samverkar i."))],
    )


class AreaForm(FlaskForm):
    name = _name_field(_l("Namn"), _l("Skriv områdets namn."), 120)
    parent = ChoiceField(
        _l("Ligger i området"),
        description=_l("Välj ett område om det här är en del av ett större område."),
        coerce=optional_int,
        validate_choice=False,
    )
    geojson = GeoJSONField(
        _l("Gräns (GeoJSON)"),
        description=_l(
            "Frivilligt. Klistra in en polygon i GeoJSON, t.ex. ritad på geojson.io: "
            "en Polygon, MultiPolygon eller en Feature med en sådan geometri, "
            "koordinater som [longitud, latitud]."
        ),
        render_kw={"rows": 8, "spellcheck": "false"},
    )


class PlaceForm(FlaskForm):
    name = _name_field(_l("Namn"), _l("Skriv platsens namn."), 150)
    area = ChoiceField(
        _l("Område"),
        coerce=optional_int,
        validate_choice=False,
        validators=[DataRequired(_l("Välj vilket område platsen ligger i."))],
    )
    latitude = CoordinateField(
        _l("Latitud"),
        description=_l("Frivilligt. Decimalgrader norr, till exempel 57,7089."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
        validators=[
            Optional(),
            NumberRange(-90, 90, _l("Latituden ska vara mellan −90 och 90.")),
        ],
    )
    longitude = CoordinateField(
        _l("Longitud"),
        description=_l("Frivilligt. Decimalgrader öster, till exempel 11,9746."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
        validators=[
            Optional(),
            NumberRange(-180, 180, _l("Longituden ska vara mellan −180 och 180.")),
        ],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if valid and (self.latitude.data is None) != (self.longitude.data is None):
            missing = self.latitude if self.latitude.data is None else self.longitude
            missing.errors = [
                *missing.errors,
                _l("Ange både latitud och longitud, eller ingen av dem."),
            ]
            return False
        return valid


class CategoryForm(FlaskForm):
    name = _name_field(_l("Namn"), _l("Skriv händelsetypens namn."), 80)


# --- användare ------------------------------------------------------------------------------


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-postadress"),
        filters=[strip],
        validators=[
            DataRequired(_l("Skriv e-postadressen.")),
            Email(_l("Skriv en giltig e-postadress, till exempel namn@kommun.se.")),
            Length(max=254, message=_l("Skriv högst %(max)d tecken.")),
        ],
    )
    name = _name_field(_l("Namn"), _l("Skriv personens namn."), 150)
    role = ChoiceField(
        _l("Roll"),
        choices=[SelectChoice("", _l("Välj roll"))]
        + [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
        coerce=optional_role,
        validators=[DataRequired(_l("Välj en roll."))],
    )
    organisation = ChoiceField(
        _l("Aktör"),
        description=_l("Krävs för rapportörer: de rapporterar för sin aktör."),
        coerce=optional_int,
        validate_choice=False,
    )
    municipalities = MultiCheckboxField(
        _l("Kommuner"),
        description=_l(
            "Krävs för samordnare och läsare. Rapportörer ser sin aktörs kommuner, "
            "administratörer alla."
        ),
        coerce=object_id,
        validate_choice=False,
    )


class UserForm(InviteForm):
    email = None  # the login name; not changed here


# --- filters (GET, no CSRF: they change nothing) ----------------------------------------------


class FilterForm(FlaskForm):
    class Meta:
        csrf = False


ALL = SelectChoice("", _l("Alla"))


class OrganisationFilterForm(FilterForm):
    kommun = ChoiceField(_l("Kommun"), coerce=optional_int)


class UserFilterForm(FilterForm):
    roll = ChoiceField(
        _l("Roll"),
        choices=[ALL] + [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
        coerce=optional_role,
    )
    kommun = ChoiceField(_l("Kommun"), coerce=optional_int)
    aktor = ChoiceField(_l("Aktör"), coerce=optional_int)
    status = ChoiceField(
        _l("Status"),
        default="",
        choices=[
            ALL,
            SelectChoice("aktiva", _l("Aktiva")),
            SelectChoice("inaktiva", _l("Inaktiva")),
        ],
    )

    @property
    def active(self) -> bool | None:
        return {"aktiva": True, "inaktiva": False}.get(self.status.data or "")


class AuditFilterForm(FilterForm):
    handelse = ChoiceField(_l("Händelse"), default="")
    anvandare = StringField(
        _l("Användare"),
        description=_l("Del av e-postadressen."),
        filters=[strip],
        validators=[Length(max=254, message=_l("Skriv högst %(max)d tecken."))],
    )
    typ = ChoiceField(_l("Gäller"), default="")
    objekt = IntegerField(
        _l("Nummer"),
        description=_l("Det som händelsen gäller, till exempel 12 för användare #12."),
        validators=[
            Optional(),
            unreadable_stops,
            NumberRange(1, MAX_ID, _l("Skriv ett nummer från 1 och uppåt, utan #.")),
        ],
        invalid_value_message=_l("Skriv ett nummer från 1 och uppåt, utan #."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    kommun = ChoiceField(_l("Kommun"), coerce=optional_int)
    fran = IsoDateField(_l("Från och med"))
    till = IsoDateField(_l("Till och med"))

    def validate_till(self, field: Field) -> None:
        if field.data and self.fran.data and field.data < self.fran.data:
            raise ValidationError(_l("Till-datumet kan inte vara före från-datumet."))
