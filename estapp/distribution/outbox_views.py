"""The outbox page for coordinators; routes are added to ``coordination`` by :func:`register`.

The admin's page (``admin.outbox``, in estapp.admin.views_outbox) is the same page over every
message; both are built by :func:`outbox_page` and requeue through :func:`requeue`.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from estapp.admin.fields import ChoiceField
from estapp.admin.forms import FilterForm
from estapp.admin.pages import filter_form, filter_value
from estapp.admin.queries import paginate
from estapp.admin.services import all_municipalities
from estapp.db import get_session, utcnow
from estapp.distribution.outbox_admin import (
    STATUS_FILTER_LABELS,
    RequeueRefused,
    StatusFilter,
    failed_count,
    outbox_query,
    requeue_failed,
    statuses_of,
)
from estapp.lagesbild.forms import ButtonForm
from estapp.models import Municipality, OutboxMessage
from estapp.reporting.coordination_views import coordinator_scope
from estapp.reporting.web import me, page_number

MESSAGES_PER_PAGE = 50
# The list's own query arguments, kept when a button on it sends the user back to it.
KEPT_ARGUMENTS = ("status", "sida")
_REGISTERED: set[str] = set()


class OutboxFilterForm(FilterForm):
    """The list's status filter, read from the query string."""

    status = ChoiceField(
        _l("Visa"),
        choices=[SelectChoice(value.value, label) for value, label in STATUS_FILTER_LABELS.items()],
        default=StatusFilter.ALL.value,
    )


def failed_mail_count(municipality: Municipality | None) -> int:
    """Failed messages of the kommun (None: of all), for the pages that warn about them."""
    return failed_count(get_session(), municipality)


def kept_arguments() -> dict[str, str]:
    """The list's filter and page from the query string, for a way back to the same view."""
    return {name: request.args[name] for name in KEPT_ARGUMENTS if request.args.get(name)}


def outbox_page(
    municipality: Municipality | None, retry_url: Callable[[OutboxMessage], str]
) -> ResponseReturnValue:
    """The outbox of one kommun, or (None) every message with a kommun column, one page."""
    session = get_session()
    filters = filter_form(OutboxFilterForm)
    wanted = StatusFilter(filter_value(filters, "status") or StatusFilter.ALL)
    query = outbox_query(municipality=municipality, statuses=statuses_of(wanted))
    page = paginate(session, query, page_number(), MESSAGES_PER_PAGE)
    names = {} if municipality else {m.id: m.name for m in all_municipalities(session)}
    return render_template(
        "coordination/outbox.html",
        municipality=municipality,
        municipality_names=names,
        filters=filters,
        failures_only=wanted is StatusFilter.FAILED,
        page=page,
        retry_url=retry_url,
        reset_url=request.path,
    ), (400 if filters.errors else 200)


def requeue(municipality: Municipality | None, message_id: int, back: str) -> ResponseReturnValue:
    """Queue a failed message again (a message of another kommun is 404), flash, go back."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    session = get_session()
    try:
        message = requeue_failed(session, me(), message_id, municipality=municipality, now=utcnow())
    except RequeueRefused as refused:
        session.rollback()
        if refused.not_found:
            abort(404)
        flash(str(refused.message), "info")
        return redirect(back)
    recipient = message.recipient
    session.commit()
    flash(
        _(
            "Meddelandet till %(recipient)s ligger i kön igen och skickas inom någon minut.",
            recipient=recipient,
        ),
        "success",
    )
    return redirect(back)


def outbox(kommun_slug: str) -> ResponseReturnValue:
    """List the kommun's outgoing e-mail, newest first, filtered by status."""
    municipality = coordinator_scope(kommun_slug)
    return outbox_page(
        municipality,
        lambda message: url_for(
            "coordination.outbox_retry",
            kommun_slug=municipality.slug,
            message_id=message.id,
            **kept_arguments(),
        ),
    )


def outbox_retry(kommun_slug: str, message_id: int) -> ResponseReturnValue:
    """Put one of the kommun's failed messages back in the queue."""
    municipality = coordinator_scope(kommun_slug)
    back = url_for("coordination.outbox", kommun_slug=municipality.slug, **kept_arguments())
    return requeue(municipality, message_id, back)


def register(coordination_bp: Blueprint) -> None:
    """Add the routes to the coordination blueprint."""
    # The blueprint lives as long as the process, while create_app runs once per app (in the
    # tests, once per test): rules may be added only before its first registration.
    if coordination_bp.name in _REGISTERED:
        return
    _REGISTERED.add(coordination_bp.name)
    coordination_bp.add_url_rule("/samordning/<kommun_slug>/utkorg", "outbox", outbox)
    coordination_bp.add_url_rule(
        "/samordning/<kommun_slug>/utkorg/<int:message_id>/forsok-igen",
        "outbox_retry",
        outbox_retry,
        methods=["POST"],
    )
    coordination_bp.add_app_template_global(failed_mail_count, "failed_mail_count")
