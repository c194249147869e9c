"""The commitments' pages: add, change, remove and move the commitments of a promise."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms import SelectChoice

from estapp.db import get_session, utcnow
from estapp.models import Commitment, Municipality, Promise
from estapp.promises import services
from estapp.promises.blueprint import bp, commitment_in, promise_in, promise_url, refused
from estapp.promises.forms import CommitmentForm
from estapp.promises.rules import WHOLE_FORM, PromiseRejected
from estapp.reporting.coordination_views import coordinator_scope
from estapp.reporting.web import me


def _commitment_form(promise: Promise, commitment: Commitment | None = None) -> CommitmentForm:
    """The form, filled from the request on a POST, else from the commitment (if any)."""
    if request.method == "POST":
        form = CommitmentForm()
    elif commitment is not None:
        form = CommitmentForm(data=CommitmentForm.data_of(commitment))
    else:
        form = CommitmentForm(formdata=None)
    form.problem_areas.choices = [
        SelectChoice(area.id, area.label) for area in promise.problem_areas
    ]
    return form


def _commitment_page(
    municipality: Municipality,
    promise: Promise,
    form: CommitmentForm,
    commitment: Commitment | None,
    status: int = 200,
) -> ResponseReturnValue:
    number = promise.commitments.index(commitment) + 1 if commitment else None
    return render_template(
        "promises/commitment_form.html",
        municipality=municipality,
        promise=promise,
        form=form,
        commitment=commitment,
        number=number,
    ), status


@bp.route("/medborgarloften/<kommun_slug>/<int:promise_id>/ataganden/nytt", methods=["GET", "POST"])
def new_commitment(kommun_slug: str, promise_id: int) -> ResponseReturnValue:
    """Add a commitment at the end of the promise."""
    municipality = coordinator_scope(kommun_slug)
    found = promise_in(municipality, promise_id)
    form = _commitment_form(found)
    if request.method == "GET":
        return _commitment_page(municipality, found, form, None)
    if form.validate():
        session = get_session()
        try:
            created = services.create_commitment(
                session, me(), found, form.to_input(), now=utcnow()
            )
        except PromiseRejected as rejected:
            refused(form, rejected)
        else:
            session.commit()
            flash(_("Åtagande %(n)s är sparat.", n=len(found.commitments)), "success")
            return redirect(promise_url(found, _anchor=f"atagande-{created.id}"))
    return _commitment_page(municipality, found, form, None, 400)


@bp.route(
    "/medborgarloften/<kommun_slug>/<int:promise_id>/ataganden/<int:commitment_id>/andra",
    methods=["GET", "POST"],
)
def edit_commitment(kommun_slug: str, promise_id: int, commitment_id: int) -> ResponseReturnValue:
    """Change one commitment of the promise."""
    municipality = coordinator_scope(kommun_slug)
    found = promise_in(municipality, promise_id)
    commitment = commitment_in(found, commitment_id)
    form = _commitment_form(found, commitment)
    if request.method == "GET":
        return _commitment_page(municipality, found, form, commitment)
    if form.validate():
        session = get_session()
        try:
            changes = services.update_commitment(
                session, me(), found, commitment.id, form.to_input(), now=utcnow()
            )
        except PromiseRejected as rejected:
            refused(form, rejected)
        else:
            session.commit()
            if changes:
                flash(_("Åtagandet är ändrat."), "success")
            else:
                flash(_("Inget ändrades."), "info")
            return redirect(promise_url(found, _anchor=f"atagande-{commitment.id}"))
    return _commitment_page(municipality, found, form, commitment, 400)


@bp.route(
    "/medborgarloften/<kommun_slug>/<int:promise_id>/ataganden/<int:commitment_id>/ta-bort",
    methods=["GET", "POST"],
)
def delete_commitment(kommun_slug: str, promise_id: int, commitment_id: int) -> ResponseReturnValue:
    """Ask, then remove one commitment from the promise."""
    municipality = coordinator_scope(kommun_slug)
    found = promise_in(municipality, promise_id)
    commitment = commitment_in(found, commitment_id)
    number = found.commitments.index(commitment) + 1
    if request.method == "POST":
        session = get_session()
        try:
            services.delete_commitment(session, me(), found, commitment.id, now=utcnow())
        except PromiseRejected as rejected:
            session.rollback()
            flash(str(rejected.errors[WHOLE_FORM]), "error")
        else:
            session.commit()
            flash(_("Åtagande %(n)s är borttaget.", n=number), "success")
        return redirect(promise_url(found))
    return render_template(
        "promises/confirm.html",
        municipality=municipality,
        promise=found,
        title=_("Ta bort åtagande %(n)s?", n=number),
        question=_("Åtagandet tas bort ur medborgarlöftet. Det går inte att ångra."),
        quote=commitment.text,
        button=_("Ta bort åtagandet"),
    )


@bp.route(
    "/medborgarloften/<kommun_slug>/<int:promise_id>/ataganden/<int:commitment_id>/flytta",
    methods=["POST"],
)
def move_commitment(kommun_slug: str, promise_id: int, commitment_id: int) -> ResponseReturnValue:
    """Move a commitment one step up or down in the promise."""
    municipality = coordinator_scope(kommun_slug)
    found = promise_in(municipality, promise_id)
    commitment = commitment_in(found, commitment_id)
    offset = {"upp": -1, "ner": 1}.get(request.form.get("riktning", ""))
    if offset is None:
        abort(400)
    session = get_session()
    if services.move_commitment(session, me(), found, commitment.id, offset, now=utcnow()):
        session.commit()
        number = found.commitments.index(commitment) + 1
        flash(_("Åtagandet är nu nummer %(n)s.", n=number), "success")
    return redirect(promise_url(found, _anchor=f"atagande-{commitment.id}"))
