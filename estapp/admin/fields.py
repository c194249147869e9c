"""Form fields and coercions the admin forms share, with Swedish messages."""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import (
    DateField,
    Field,
    FloatField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
    ValidationError,
    widgets,
)
from wtforms.validators import StopValidation
from wtforms.widgets.core import clean_key

from estapp.lagesbild.charts import validate_geojson
from estapp.models import OrganisationKind, Role


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL; larger ones match nothing


def object_id(value: Any) -> int:
    """Coerce a submitted id; anything that cannot be an id raises ValueError."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(value)
    return number


def optional_int(value: Any) -> int | None:
    """Coerce a select value to an id; the empty choice means none."""
    if value is None or value == "":
        return None
    return object_id(value)


def optional_role(value: Any) -> Role | None:
    return Role(value) if value not in (None, "") else None


def optional_kind(value: Any) -> OrganisationKind | None:
    return OrganisationKind(value) if value not in (None, "") else None


def _option_attributes(options: dict[str, Any]) -> str:
    """What ``wtforms.widgets.html_params`` writes, with plain string formatting."""
    parts = []
    for key, value in sorted(options.items()):
        if value is True:
            parts.append(clean_key(key))
        elif value is not False:
            parts.append(f'{clean_key(key)}="{escape(value)}"')
    return " ".join(parts)


class QuickSelect(widgets.Select):
    """WTForms' select, its options written with plain string formatting.

    The stock widget formats every option through ``Markup.format``; with a large city's
    hundreds of places that was a good part of the veckorapport page's time. The markup is
    the same.
    """

    @classmethod
    def render_option(cls, choice: Any, **kwargs: Any) -> Markup:
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        options = {"value": value, **(choice.render_kw or {}), **kwargs}
        if choice.selected:
            options["selected"] = True
        label = escape(choice.label or choice.value)
        # Every value and the label are escaped above and in _option_attributes.
        return Markup(f"<option {_option_attributes(options)}>{label}</option>")  # noqa: S704


class QuickSelectField(SelectField):
    """A select of many options (places, areas, categories), drawn by :class:`QuickSelect`."""

    widget = QuickSelect()


NOT_A_CHOICE = _l("Välj ett av alternativen i listan.")


class ChoiceField(SelectField):
    """A select whose unknown or malformed values get one plain Swedish message."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(NOT_A_CHOICE) from None

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(NOT_A_CHOICE) from None


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes: easier than a multiple select, also on a phone."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = []
            raise ValueError(NOT_A_CHOICE) from None

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(NOT_A_CHOICE) from None


def at_least_one(message: Any) -> Any:
    # Not DataRequired: its "required" flag would put `required` on every single checkbox.
    def check(form: Any, field: Field) -> None:
        if not field.data:
            raise ValidationError(message)

    return check


class CoordinateField(FloatField):
    """A decimal number typed the Swedish way too (57,7089) in a plain text box."""

    widget = widgets.TextInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not text:
            return
        try:
            number = float(text.replace(",", ".").replace("−", "-"))
        except ValueError:
            raise ValueError(_l("Skriv ett decimaltal, till exempel 57,7089.")) from None
        if not math.isfinite(number):
            raise ValueError(_l("Skriv ett decimaltal, till exempel 57,7089."))
        self.data = number

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:  # not a number: a range check would only repeat the point
            raise StopValidation()


class IsoDateField(DateField):
    """A date as ÅÅÅÅ-MM-DD (what a date picker sends) with a Swedish message when it is not."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not text:
            return
        try:
            self.data = date.fromisoformat(text)
        except ValueError:
            raise ValueError(_l("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-01.")) from None


class GeoJSONField(TextAreaField):
    """A GeoJSON polygon pasted as text; ``geometry`` holds the checked geometry, or None."""

    geometry: dict[str, Any] | None = None

    def process_data(self, value: Any) -> None:
        """Show a stored geometry as JSON text."""
        if isinstance(value, dict):
            value = json.dumps(value, ensure_ascii=False)
        super().process_data(value)

    def pre_validate(self, form: Any) -> None:
        self.geometry = None
        text = (self.data or "").strip()
        if not text:
            return
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValidationError(
                _l(
                    "Texten är inte giltig JSON (fel på rad %(line)s, tecken %(column)s). "
                    "Klistra in hela GeoJSON-texten, från { till }.",
                    line=error.lineno,
                    column=error.colno,
                )
            ) from None
        try:
            self.geometry = validate_geojson(parsed)
        except ValueError as error:
            raise ValidationError(str(error)) from None
