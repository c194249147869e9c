"""The quick select widget writes exactly the markup of WTForms' own select."""

from __future__ import annotations

import pytest
from wtforms.fields.choices import Choice
from wtforms.widgets import Select

from estapp.admin.fields import QuickSelect

CHOICES = [
    Choice("", "Annan plats (beskriv nedan)", False, None),
    Choice("17", "Stora torget", True, {"data-area": "3"}),
    Choice("18", 'Parken "Lunden" <öst> & väst', False, {"data-area": "3"}),
    Choice("a&b", "", False, {"disabled": True, "data_hint": "x", "hidden": False}),
    Choice(True, "Ja", False, None),
]


@pytest.mark.parametrize("choice", CHOICES, ids=lambda c: str(c.value) or "empty")
def test_an_option_is_written_as_wtforms_writes_it(choice: Choice) -> None:
    assert QuickSelect.render_option(choice) == Select.render_option(choice)


def test_a_label_cannot_inject_markup() -> None:
    html = QuickSelect.render_option(Choice('1"><script>', "<b>x</b>", False, None))
    assert "<script>" not in html and "<b>" not in html
