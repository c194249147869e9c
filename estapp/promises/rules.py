"""What a medborgarlöfte and its commitments must look like, with Swedish messages.

The services take :class:`PromiseInput` and :class:`CommitmentInput`, check them here before they
touch anything and raise :class:`PromiseRejected` with every problem found.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from estapp.models import (
    IndicatorDirection,
    Promise,
    PromiseStatus,
    ResponsibleParty,
)
from estapp.models.promises import MAX_PERIOD_YEARS

FIRST_YEAR, LAST_YEAR = 2000, 2100
TITLE_LENGTH = 200
PROBLEM_AREA_NAME_LENGTH = 200
RESPONSIBLE_DETAIL_LENGTH = 300
INDICATOR_NAME_LENGTH = 200
INDICATOR_UNIT_LENGTH = 50
MAX_PROBLEM_AREAS = 30
TEXT_LENGTH = 8000  # any one text of a promise; the published ones are far shorter

WHOLE_FORM = ""  # the key of a message that concerns no single field


class PromiseRejected(Exception):
    """The change breaks a rule; ``errors`` maps form field names to Swedish messages.

    A problem area's fields are named ``problem_areas-<n>-name`` (and ``-description``), ``n``
    counting the areas as they were given; nothing has been changed.
    """

    def __init__(self, errors: dict[str, str | LazyString]) -> None:
        super().__init__("; ".join(str(message) for message in errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class ProblemAreaInput:
    name: str = ""
    description: str = ""
    id: int | None = None  # an area the promise already has: it keeps its commitments' links


@dataclass(frozen=True)
class PromiseInput:
    title: str
    period_start: int
    period_end: int
    status: PromiseStatus = PromiseStatus.DRAFT
    summary: str = ""
    background: str = ""
    problem_areas: Sequence[ProblemAreaInput] = ()
    goal: str = ""
    follow_up: str = ""
    signed_on: date | None = None
    signatories: str = ""
    contact: str = ""


@dataclass(frozen=True)
class CommitmentInput:
    text: str
    responsible: frozenset[ResponsibleParty] = field(default_factory=frozenset)
    responsible_detail: str = ""
    scope: str = ""
    follow_up: str = ""
    evaluation: str = ""
    problem_area_ids: Sequence[int] = ()
    indicator_name: str = ""
    indicator_unit: str = ""
    indicator_direction: IndicatorDirection | None = None
    indicator_target: float | None = None
    indicator_note: str = ""
    public_note: str = ""


# --- checks ----------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Trim, drop NUL characters (no database accepts them) and use one kind of line break."""
    return text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _too_long(errors: dict[str, Any], name: str, text: str, limit: int) -> None:
    if len(text) > limit and name not in errors:
        errors[name] = _l("Skriv högst %(max)d tecken.", max=limit)


OTHERS_NEED_DETAIL = _l("Skriv vilka de andra ansvariga är, till exempel Räddningstjänsten.")
INDICATOR_NEEDS_NAME = _l("Ge indikatorn ett namn, eller töm indikatorns fält.")


def period_problems(start: int, end: int) -> dict[str, Any]:
    """What is wrong with a period of years, by field: one or two calendar years."""
    errors: dict[str, Any] = {}
    if not FIRST_YEAR <= start <= LAST_YEAR:
        errors["period_start"] = _l(
            "Ange första året som ett årtal mellan %(first)d och %(last)d.",
            first=FIRST_YEAR,
            last=LAST_YEAR,
        )
    elif end < start:
        errors["period_end"] = _l(
            "Sista året kan inte vara före det första (%(start)d).", start=start
        )
    elif end >= start + MAX_PERIOD_YEARS:
        errors["period_end"] = _l(
            "Ett medborgarlöfte gäller ett eller två år: sista året ska vara %(start)d "
            "eller %(next)d.",
            start=start,
            next=start + 1,
        )
    return errors


def checked_promise(data: PromiseInput, promise: Promise | None) -> PromiseInput:
    """The input cleaned, or :class:`PromiseRejected` with every problem found."""
    errors: dict[str, Any] = {}
    title = _clean(data.title)
    if not title:
        errors["title"] = _l("Skriv medborgarlöftets rubrik.")
    _too_long(errors, "title", title, TITLE_LENGTH)
    errors.update(period_problems(data.period_start, data.period_end))
    if not isinstance(data.status, PromiseStatus):
        errors["status"] = _l("Välj utkast, gäller eller avslutat.")
    texts = {
        name: _clean(getattr(data, name))
        for name in ("summary", "background", "goal", "follow_up", "signatories", "contact")
    }
    for name, text in texts.items():
        _too_long(errors, name, text, TEXT_LENGTH)

    if len(data.problem_areas) > MAX_PROBLEM_AREAS:
        errors["problem_areas-0-name"] = _l(
            "Ett medborgarlöfte kan ha högst %(max)d problemområden.", max=MAX_PROBLEM_AREAS
        )
    own_ids = {area.id for area in promise.problem_areas} if promise else set()
    seen: set[int] = set()
    areas = []
    for index, area in enumerate(data.problem_areas):
        prefix = f"problem_areas-{index}"
        name, description = _clean(area.name), _clean(area.description)
        if area.id is not None and (area.id not in own_ids or area.id in seen):
            errors[f"{prefix}-name"] = _l(
                "Problemområdet hör inte till det här medborgarlöftet. Ladda om sidan och försök "
                "igen."
            )
        if area.id is not None:
            seen.add(area.id)
        if not name and not description:
            errors[f"{prefix}-name"] = _l("Skriv en rubrik eller en beskrivning.")
        _too_long(errors, f"{prefix}-name", name, PROBLEM_AREA_NAME_LENGTH)
        _too_long(errors, f"{prefix}-description", description, TEXT_LENGTH)
        areas.append(ProblemAreaInput(name=name, description=description, id=area.id))
    if errors:
        raise PromiseRejected(errors)
    return PromiseInput(
        title=title,
        period_start=data.period_start,
        period_end=data.period_end,
        status=data.status,
        problem_areas=tuple(areas),
        signed_on=data.signed_on,
        **texts,
    )


def checked_commitment(data: CommitmentInput, promise: Promise) -> CommitmentInput:
    errors: dict[str, Any] = {}
    text = _clean(data.text)
    if not text:
        errors["text"] = _l("Skriv vad ni lovar, till exempel ”Vi ska …”.")
    _too_long(errors, "text", text, TEXT_LENGTH)
    responsible = frozenset(data.responsible)
    detail = _clean(data.responsible_detail)
    if not responsible:
        errors["responsible"] = _l("Välj vem som ansvarar: kommunen, polisen eller andra.")
    elif not responsible <= set(ResponsibleParty):
        errors["responsible"] = _l("Välj kommunen, polisen eller andra.")
    if ResponsibleParty.OTHERS in responsible and not detail:
        errors["responsible_detail"] = OTHERS_NEED_DETAIL
    _too_long(errors, "responsible_detail", detail, RESPONSIBLE_DETAIL_LENGTH)
    texts = {
        name: _clean(getattr(data, name))
        for name in ("scope", "follow_up", "evaluation", "indicator_note", "public_note")
    }
    for name, value in texts.items():
        _too_long(errors, name, value, TEXT_LENGTH)

    indicator_name = _clean(data.indicator_name)
    indicator_unit = _clean(data.indicator_unit)
    target = data.indicator_target
    if target is not None and not math.isfinite(target):
        errors["indicator_target"] = _l("Skriv målvärdet som ett tal, till exempel 75 eller 12,5.")
    described = indicator_unit or data.indicator_direction or target is not None
    if not indicator_name and (described or texts["indicator_note"]):
        errors["indicator_name"] = INDICATOR_NEEDS_NAME
    _too_long(errors, "indicator_name", indicator_name, INDICATOR_NAME_LENGTH)
    _too_long(errors, "indicator_unit", indicator_unit, INDICATOR_UNIT_LENGTH)

    own_areas = {area.id for area in promise.problem_areas}
    wanted_areas = tuple(dict.fromkeys(data.problem_area_ids))
    if not set(wanted_areas) <= own_areas:
        errors["problem_areas"] = _l(
            "Ett av de valda problemområdena hör inte till det här medborgarlöftet."
        )
    if errors:
        raise PromiseRejected(errors)
    return CommitmentInput(
        text=text,
        responsible=responsible,
        responsible_detail=detail,
        problem_area_ids=wanted_areas,
        indicator_name=indicator_name,
        indicator_unit=indicator_unit,
        indicator_direction=data.indicator_direction,
        indicator_target=target,
        **texts,
    )
