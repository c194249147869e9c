"""Forms for the retention periods: shape and Swedish messages only."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange, Optional

from estapp.admin.forms import CategoryForm
from estapp.reporting.forms import unreadable_stops
from estapp.retention.periods import DEFAULT_MONTHS, MAX_MONTHS, MIN_MONTHS


def _months_field(label: Any, description: Any, *, required: bool) -> IntegerField:
    presence = (
        InputRequired(
            _l(
                "Ange gallringsfristen i hela månader, till exempel %(months)s.",
                months=DEFAULT_MONTHS,
            )
        )
        if required
        else Optional()
    )
    return IntegerField(
        label,
        description=description,
        validators=[
            presence,
            unreadable_stops,
            NumberRange(
                min=MIN_MONTHS,
                max=MAX_MONTHS,
                message=_l("Ange ett heltal från %(min)s till %(max)s månader."),
            ),
        ],
        invalid_value_message=_l(
            "Ange gallringsfristen som ett heltal, till exempel %(months)s.", months=DEFAULT_MONTHS
        ),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


class RetentionForm(FlaskForm):
    """The kommun's retention period."""

    retention_months = _months_field(
        _l("Gallringsfrist i månader"),
        _l(
            "Händelser raderas när så här många månader har gått sedan deras vecka, "
            "%(min)s–%(max)s månader. Standard är %(months)s.",
            min=MIN_MONTHS,
            max=MAX_MONTHS,
            months=DEFAULT_MONTHS,
        ),
        required=True,
    )


class CategoryEditForm(CategoryForm):
    """A category's name and, if it should differ from the kommun's, its own period."""

    retention_months = _months_field(
        _l("Egen gallringsfrist i månader"),
        _l(
            "Lämna tomt för att följa kommunens gallringsfrist. Annars %(min)s–%(max)s månader.",
            min=MIN_MONTHS,
            max=MAX_MONTHS,
        ),
        required=False,
    )
