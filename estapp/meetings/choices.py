"""The choices the meeting's forms offer: always the kommun's own partners, people, places and
commitments, so a form never shows another kommun's data."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectChoice

from estapp.admin.places import area_path, areas_in_tree_order
from estapp.db import get_session
from estapp.meetings.agenda import Agenda
from estapp.meetings.forms import ActionForm, AttendanceForm, FocusForm
from estapp.models import Municipality, Organisation, Promise, User


def partners(municipality: Municipality) -> list[Organisation]:
    return list(
        get_session().scalars(
            select(Organisation)
            .where(
                Organisation.active.is_(True),
                Organisation.municipalities.any(Municipality.id == municipality.id),
            )
            .order_by(Organisation.name)
        )
    )


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def commitment_choices(promise: Promise | None) -> list[SelectChoice]:
    choices = [SelectChoice("", _("Inget åtagande"))]
    if promise is not None:
        choices += [
            SelectChoice(str(c.id), f"{number}. {_short(c.text)}")
            for number, c in enumerate(promise.commitments, start=1)
        ]
    return choices


def fill_action_form(form: ActionForm, municipality: Municipality, agenda: Agenda) -> None:
    orgs = partners(municipality)
    form.owner_organisation_id.choices = [
        SelectChoice("", _("Välj aktör")),
        *(SelectChoice(str(o.id), o.name) for o in orgs),
    ]
    names = {o.id: o.name for o in orgs}
    people = get_session().scalars(
        select(User)
        .where(User.active.is_(True), User.organisation_id.in_(list(names)))
        .order_by(User.name)
    )
    form.owner_user_id.choices = [
        SelectChoice("", _("Ingen särskild person")),
        *sorted(
            (SelectChoice(str(u.id), u.name, None, names[u.organisation_id]) for u in people),
            key=lambda choice: (choice.optgroup, choice.label),
        ),
    ]
    where = [SelectChoice("", _("Ingen särskild plats"))]
    for area in areas_in_tree_order(get_session(), municipality):
        group = area_path(area)
        where.append(SelectChoice(f"omrade:{area.id}", _("Hela %(area)s", area=group), None, group))
        where += [SelectChoice(f"plats:{p.id}", p.name, None, group) for p in area.places]
    form.where.choices = where
    form.commitment_id.choices = commitment_choices(agenda.promise)
    form.prompted_by.choices = [
        SelectChoice("", _("Inget särskilt")),
        *(SelectChoice(label, label) for label in agenda.prompts),
    ]


def fill_attendance_form(form: AttendanceForm, municipality: Municipality) -> None:
    form.attendees.choices = [SelectChoice(o.id, o.name) for o in partners(municipality)]


def fill_focus_form(form: FocusForm, municipality: Municipality) -> None:
    form.focus_places.choices = [
        SelectChoice(place.id, f"{place.name} ({area_path(area)})")
        for area in areas_in_tree_order(get_session(), municipality)
        for place in area.places
    ]
