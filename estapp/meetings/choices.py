"""The choices the meeting's forms offer: always the kommun's own partners, people, places and
commitments, so a form never shows another kommun's data."""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectChoice

from estapp.admin.places import request_outline
from estapp.db import get_session
from estapp.meetings.agenda import Agenda
from estapp.meetings.forms import ActionForm, AttendanceForm, FocusForm
from estapp.models import Municipality, Organisation, Promise, User


def partners(municipality: Municipality) -> list[tuple[int, str]]:
    """The kommun's active partners (id, name), read once per request for every form."""
    cache: dict[int, list[tuple[int, str]]] = g.setdefault("meeting_partners", {})
    if municipality.id not in cache:
        rows = get_session().execute(
            select(Organisation.id, Organisation.name)
            .where(
                Organisation.active.is_(True),
                Organisation.municipalities.any(Municipality.id == municipality.id),
            )
            .order_by(Organisation.name)
        )
        cache[municipality.id] = [(row.id, row.name) for row in rows]
    return cache[municipality.id]


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
        *(SelectChoice(str(org_id), name) for org_id, name in orgs),
    ]
    names = dict(orgs)
    people = get_session().execute(
        select(User.id, User.name, User.organisation_id)
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
    for area in request_outline(municipality):
        group = area.path
        where.append(SelectChoice(f"omrade:{area.id}", _("Hela %(area)s", area=group), None, group))
        where += [SelectChoice(f"plats:{pid}", name, None, group) for pid, name in area.places]
    form.where.choices = where
    form.commitment_id.choices = commitment_choices(agenda.promise)
    form.prompted_by.choices = [
        SelectChoice("", _("Inget särskilt")),
        *(SelectChoice(label, label) for label in agenda.prompts),
    ]


def fill_attendance_form(form: AttendanceForm, municipality: Municipality) -> None:
    form.attendees.choices = [SelectChoice(org_id, name) for org_id, name in partners(municipality)]


def fill_focus_form(form: FocusForm, municipality: Municipality) -> None:
    form.focus_places.choices = [
        SelectChoice(place_id, f"{name} ({area.path})")
        for area in request_outline(municipality)
        for place_id, name in area.places
    ]
