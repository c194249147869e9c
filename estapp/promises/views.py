"""Medborgarlöften pages: the kommun's promises, one promise whole, writing a promise.

The commitments' pages are in :mod:`estapp.promises.commitment_views`; who may read and write is
decided in :mod:`estapp.promises.blueprint`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from estapp.auth.access import municipality_ids
from estapp.db import get_session, utcnow
from estapp.models import Municipality, Promise, PromiseStatus, Role

# Importing the other view modules registers their routes on the blueprint.
from estapp.promises import (  # noqa: F401
    commitment_views,
    overview_views,
    public_views,
    services,
    yearly_views,
)
from estapp.promises.blueprint import (
    bp,
    may_edit_promises,
    promise_in,
    promise_url,
    read_scope,
    refused,
)
from estapp.promises.forms import PromiseForm
from estapp.promises.progress import STATUS_LABELS, STATUS_RULES
from estapp.promises.progress_queries import progress_by_commitment
from estapp.promises.rules import WHOLE_FORM, PromiseRejected
from estapp.reporting.coordination_views import coordinator_scope
from estapp.reporting.web import me, today, tz

__all__ = ["bp"]

NEW_PROBLEM_AREA_ROWS = 2  # blank rows offered below the existing ones (more: save, edit again)


# --- reading -------------------------------------------------------------------------------


@bp.route("/medborgarloften")
def index() -> ResponseReturnValue:
    """Go to the promises of the user's kommun, or let them choose one."""
    query = select(Municipality).order_by(Municipality.name)
    if current_user.role != Role.ADMIN:
        query = query.where(Municipality.id.in_(municipality_ids(me())))
    municipalities = list(get_session().scalars(query))
    if len(municipalities) == 1:
        return redirect(url_for(".promises", kommun_slug=municipalities[0].slug))
    return render_template("promises/index.html", municipalities=municipalities)


@bp.route("/medborgarloften/<kommun_slug>")
def promises(kommun_slug: str) -> ResponseReturnValue:
    """List the kommun's medborgarlöften, newest first."""
    municipality = read_scope(kommun_slug)
    editor = may_edit_promises(municipality)
    found = services.promises_of(get_session(), municipality)
    if not editor:
        found = [p for p in found if p.status != PromiseStatus.DRAFT]
    return render_template(
        "promises/list.html", municipality=municipality, promises=found, editor=editor
    )


@bp.route("/medborgarloften/<kommun_slug>/<int:promise_id>")
def promise(kommun_slug: str, promise_id: int) -> ResponseReturnValue:
    """Show a whole promise: background, problem areas and every commitment with its
    progress counted from the EST group's actions (counts and dates only, no names)."""
    municipality = read_scope(kommun_slug)
    found = promise_in(municipality, promise_id)
    progress = progress_by_commitment(get_session(), found, tz(), today(utcnow()))
    return render_template(
        "promises/promise.html",
        municipality=municipality,
        promise=found,
        editor=may_edit_promises(municipality),
        progress=progress,
        progress_labels=STATUS_LABELS,
        progress_rules=STATUS_RULES,
    )


# --- the promise ---------------------------------------------------------------------------


@dataclass
class _Label:
    text: str


@dataclass
class _Named:
    """A field as the error summary lists it, under a name that says which row it is in."""

    id: str
    label: _Label
    errors: list[Any] = field(default_factory=list)


def _summary(form: PromiseForm) -> list[list[Any]]:
    plain = [f for f in form if f.type != "FieldList"]
    rows = []
    for number, entry in enumerate(form.problem_areas.entries, start=1):
        for sub in (entry.form.name, entry.form.description):
            label = _("Problemområde %(n)s, %(field)s", n=number, field=sub.label.text.lower())
            rows.append(_Named(sub.id, _Label(label), list(sub.errors)))
    return [plain, rows]


def _promise_page(
    municipality: Municipality, form: PromiseForm, promise: Promise | None, status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "promises/promise_form.html",
        municipality=municipality,
        form=form,
        promise=promise,
        summary=_summary(form),
    ), status


def _add_blank_rows(form: PromiseForm) -> None:
    rows = form.problem_areas
    for _row in range(NEW_PROBLEM_AREA_ROWS):
        if len(rows.entries) < rows.max_entries:
            rows.append_entry()


def _put_promise_errors(form: PromiseForm, rejected: PromiseRejected) -> None:
    """Problem-area messages count the rows kept; the page counts every row it shows."""
    rows = [index for index, _area in form.kept_areas()]
    other: dict[str, Any] = {}
    for name, message in rejected.errors.items():
        parts = name.split("-")
        if parts[0] == "problem_areas" and len(parts) == 3 and parts[1].isdigit():
            given = int(parts[1])
            entry = form.problem_areas.entries[rows[given] if given < len(rows) else 0]
            target = getattr(entry.form, parts[2], entry.form.name)
            target.errors = [*target.errors, str(message)]
        else:
            other[name] = message
    refused(form, PromiseRejected(other))


@bp.route("/medborgarloften/<kommun_slug>/nytt", methods=["GET", "POST"])
def new_promise(kommun_slug: str) -> ResponseReturnValue:
    """Write a new medborgarlöfte for the kommun."""
    municipality = coordinator_scope(kommun_slug)
    if request.method == "GET":
        year = utcnow().astimezone(tz()).year
        form = PromiseForm(period_start=year, period_end=year)
        _add_blank_rows(form)
        return _promise_page(municipality, form, None)
    form = PromiseForm()
    if form.validate():
        session = get_session()
        try:
            created = services.create_promise(
                session, me(), municipality, form.to_input(), now=utcnow()
            )
        except PromiseRejected as rejected:
            _put_promise_errors(form, rejected)
        else:
            session.commit()
            flash(_("Medborgarlöftet är sparat. Lägg nu till dess åtaganden."), "success")
            return redirect(promise_url(created))
    return _promise_page(municipality, form, None, 400)


@bp.route("/medborgarloften/<kommun_slug>/<int:promise_id>/andra", methods=["GET", "POST"])
def edit_promise(kommun_slug: str, promise_id: int) -> ResponseReturnValue:
    """Change a promise's texts, period, status and problem areas."""
    municipality = coordinator_scope(kommun_slug)
    found = promise_in(municipality, promise_id)
    if request.method == "GET":
        form = PromiseForm(obj=found)
        _add_blank_rows(form)
        return _promise_page(municipality, form, found)
    form = PromiseForm()
    if form.validate():
        session = get_session()
        try:
            changes = services.update_promise(session, me(), found, form.to_input(), now=utcnow())
        except PromiseRejected as rejected:
            _put_promise_errors(form, rejected)
        else:
            session.commit()
            if changes:
                flash(_("Medborgarlöftet är ändrat."), "success")
            else:
                flash(_("Inget ändrades."), "info")
            return redirect(promise_url(found))
    return _promise_page(municipality, form, found, 400)


@bp.route("/medborgarloften/<kommun_slug>/<int:promise_id>/ta-bort", methods=["GET", "POST"])
def delete_promise(kommun_slug: str, promise_id: int) -> ResponseReturnValue:
    """Ask, then delete a promise with all its commitments."""
    municipality = coordinator_scope(kommun_slug)
    found = promise_in(municipality, promise_id)
    if request.method == "POST":
        session = get_session()
        title = found.title
        try:
            services.delete_promise(session, me(), found, now=utcnow())
        except PromiseRejected as rejected:
            session.rollback()
            flash(str(rejected.errors[WHOLE_FORM]), "error")
            return redirect(promise_url(found))
        session.commit()
        flash(_("Medborgarlöftet %(title)s är borttaget.", title=title), "success")
        return redirect(url_for(".promises", kommun_slug=municipality.slug))
    return render_template(
        "promises/confirm.html",
        municipality=municipality,
        promise=found,
        title=_("Ta bort medborgarlöftet?"),
        question=_(
            "Medborgarlöftet %(title)s och alla dess %(count)s åtaganden tas bort. "
            "Det går inte att ångra.",
            title=found.title,
            count=len(found.commitments),
        ),
        button=_("Ta bort medborgarlöftet"),
    )
