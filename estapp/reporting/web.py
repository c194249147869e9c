"""What the reporting pages share: who may open them, week arguments, form choices, commits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask import abort, current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from estapp.admin.places import request_outline
from estapp.db import get_session
from estapp.models import (
    Category,
    Municipality,
    Observation,
    Organisation,
    Role,
    User,
)
from estapp.reporting import services
from estapp.reporting.forms import CorrectionForm, ObservationForm
from estapp.weeks import InvalidWeek, IsoWeek

T = TypeVar("T")
PER_PAGE = 20


def tz() -> ZoneInfo:
    return current_app.config["SETTINGS"].tz


def me() -> User:
    """The logged-in user as the ORM object (not Flask-Login's proxy)."""
    return current_user._get_current_object()  # type: ignore[attr-defined]


def today(now: datetime) -> date:
    return now.astimezone(tz()).date()


def municipality_by_slug(slug: str) -> Municipality:
    municipality = get_session().scalar(select(Municipality).where(Municipality.slug == slug))
    if municipality is None:
        abort(404)
    return municipality


def reporter_scope(slug: str) -> tuple[Municipality, Organisation]:
    """The kommun and the reporter's organisation; 403 unless the reporter may report there."""
    if current_user.role != Role.REPORTER:
        abort(403)
    municipality = municipality_by_slug(slug)
    organisation = current_user.organisation
    if organisation is None or not services.may_report(me(), municipality, organisation):
        abort(403)
    return municipality, organisation


def week_from_url(text: str, *, now: datetime) -> IsoWeek:
    """The week in the URL (2026-W47); malformed or later than this week is 404."""
    try:
        week = IsoWeek.parse(text)
    except InvalidWeek:
        abort(404)
    if str(week) != text or week > IsoWeek.containing(now, tz()):
        abort(404)
    return week


def page_number() -> int:
    text = request.args.get("sida", "1")
    return int(text) if text.isdigit() and 0 < int(text) < 100_000 else 1


def own_observation(
    municipality: Municipality, organisation: Organisation, week: IsoWeek, observation_id: int
) -> Observation:
    """The reporter's own observation of this kommun and week; anything else is 404."""
    observation = get_session().get(Observation, observation_id)
    if (
        observation is None
        or observation.organisation_id != organisation.id
        or observation.municipality_id != municipality.id
        or observation.week_start != week.monday
    ):
        abort(404)
    return observation


def area_choices(municipality: Municipality) -> list[SelectChoice]:
    return [
        SelectChoice("", _("Välj område")),
        *(SelectChoice(str(area.id), area.path) for area in request_outline(municipality)),
    ]


def place_choices(municipality: Municipality, other_label: str) -> list[SelectChoice]:
    """The kommun's places grouped by area, after an empty choice for 'annan plats'."""
    choices = [SelectChoice("", other_label)]
    for area in request_outline(municipality):
        area_id = {"data-area": str(area.id)}
        choices.extend(
            SelectChoice(str(place_id), name, area_id, area.path) for place_id, name in area.places
        )
    return choices


def category_choices(municipality: Municipality, current: int | None) -> list[SelectChoice]:
    """The kommun's active categories, plus the current one if it is no longer used."""
    categories = get_session().scalars(
        select(Category)
        .where(Category.municipality_id == municipality.id)
        .order_by(Category.position, Category.name)
    )
    choices = [SelectChoice("", _("Välj händelsetyp"))]
    for category in categories:
        if category.active:
            choices.append(SelectChoice(str(category.id), category.name))
        elif category.id == current:
            label = _("%(name)s (används inte längre)", name=category.name)
            choices.append(SelectChoice(str(category.id), label))
    return choices


def observation_form(
    municipality: Municipality,
    *,
    observation: Observation | None = None,
    default_day: date | None = None,
    formdata: Any = None,
) -> ObservationForm:
    """The observation form with the kommun's choices; ``formdata`` None reads the request."""
    kwargs: dict[str, Any] = {}
    if formdata is not None:
        kwargs["formdata"] = formdata
    if observation is not None:
        form = ObservationForm(obj=observation, **kwargs)
    else:
        form = ObservationForm(occurred_on=default_day, **kwargs)
    # Read when the form is drawn: a saved form redirects without listing any choices.
    form.area_id.choices = lambda: area_choices(municipality)
    form.place_id.choices = lambda: place_choices(municipality, _("Annan plats (beskriv nedan)"))
    current = observation.category_id if observation else None
    form.category_id.choices = lambda: category_choices(municipality, current)
    return form


def correction_form(observation: Observation, municipality: Municipality) -> CorrectionForm:
    form = CorrectionForm(obj=observation)
    other = (
        _("Behåll annan plats: %(text)s", text=observation.other_place)
        if observation.other_place
        else _("Välj plats")
    )
    form.place_id.choices = place_choices(municipality, other)
    form.category_id.choices = category_choices(municipality, observation.category_id)
    return form


def put_errors(form: Any, errors: dict[str, str]) -> None:
    """Show a service's messages at the form fields they concern (or at the first field)."""
    for name, message in errors.items():
        field = getattr(form, name, None) or next(iter(form))
        field.errors = [*field.errors, message]


def commit_with_retry(action: Callable[[], T]) -> T:
    """Run a change and commit it; once more if a concurrent request created the same row.

    A double click on a button that creates the week's report sends two requests; the second
    one's insert then breaks the unique constraint. Run again, it finds the row and does nothing
    harmful.
    """
    session = get_session()
    try:
        result = action()
        session.commit()
        return result
    except IntegrityError:
        session.rollback()
    result = action()
    session.commit()
    return result
