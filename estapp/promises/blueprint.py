"""The medborgarlöften blueprint and what its view modules share: who may read and write.

Everyone who may see the kommun (its coordinators, readers and partners' reporters) reads the
promises in force; the kommun's coordinators and the admins write them and see drafts.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, url_for
from flask_login import current_user

from estapp.auth.access import can_see_municipality, coordinates
from estapp.db import get_session
from estapp.models import Commitment, Municipality, Promise, PromiseStatus
from estapp.promises import labels, services
from estapp.promises.rules import WHOLE_FORM, PromiseRejected
from estapp.reporting.web import me, municipality_by_slug, put_errors

bp = Blueprint("promises", __name__)


@bp.app_template_global()
def may_edit_promises(municipality: Municipality) -> bool:
    """The kommun's coordinators, and every admin (as on the coordinator's board)."""
    return coordinates(current_user, municipality.id)


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "promise_status_label": labels.status_label,
        "direction_label": labels.direction_label,
        "responsible_label": labels.responsible_label,
        "responsible_parties": labels.responsible_parties,
        "period_label": services.period_label,
        "indicator_goal": labels.indicator_goal,
    }


def read_scope(kommun_slug: str) -> Municipality:
    municipality = municipality_by_slug(kommun_slug)
    if not can_see_municipality(me(), municipality):
        abort(403)
    return municipality


def promise_in(municipality: Municipality, promise_id: int) -> Promise:
    """The kommun's promise; drafts only for those who edit them; anything else is 404."""
    promise = services.promise_of(get_session(), municipality, promise_id)
    if promise is None:
        abort(404)
    if promise.status == PromiseStatus.DRAFT and not may_edit_promises(municipality):
        abort(404)
    return promise


def commitment_in(promise: Promise, commitment_id: int) -> Commitment:
    commitment = services.commitment_of(promise, commitment_id)
    if commitment is None:
        abort(404)
    return commitment


def promise_url(promise: Promise, **anchor: str) -> str:
    return url_for(
        "promises.promise",
        kommun_slug=promise.municipality.slug,
        promise_id=promise.id,
        **anchor,
    )


def refused(form: Any, rejected: PromiseRejected) -> None:
    """Put a service's messages at the form's fields; one about the whole form is flashed."""
    get_session().rollback()
    messages = dict(rejected.errors)
    whole = messages.pop(WHOLE_FORM, None)
    if whole:
        flash(str(whole), "error")
    put_errors(form, {name: str(message) for name, message in messages.items()})
