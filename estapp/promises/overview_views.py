"""The promise dashboard (everyone who reads the kommun's promises: counts only) and a
commitment's timeline (the kommun's coordinators: it names actions and people)."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from estapp.db import get_session, utcnow
from estapp.meetings.labels import status_label as action_status_label
from estapp.promises.blueprint import bp, commitment_in, may_edit_promises, promise_in, read_scope
from estapp.promises.overview import overview_of
from estapp.promises.progress import STATUS_LABELS, STATUS_RULES
from estapp.promises.progress_queries import action_facts_of
from estapp.promises.timeline import EventKind, actions_of, timeline_of
from estapp.reporting.coordination_views import coordinator_scope
from estapp.reporting.web import today, tz


@bp.route("/medborgarloften/<kommun_slug>/<int:promise_id>/oversikt")
def dashboard(kommun_slug: str, promise_id: int) -> ResponseReturnValue:
    """Every commitment's status and figures in one table, the promise's totals and the actions
    decided and done per month."""
    municipality = read_scope(kommun_slug)
    found = promise_in(municipality, promise_id)
    facts = action_facts_of(get_session(), found, tz())
    return render_template(
        "promises/dashboard.html",
        municipality=municipality,
        promise=found,
        overview=overview_of(found, facts, today(utcnow())),
        editor=may_edit_promises(municipality),
        progress_labels=STATUS_LABELS,
        progress_rules=STATUS_RULES,
    )


@bp.route("/medborgarloften/<kommun_slug>/<int:promise_id>/ataganden/<int:commitment_id>/tidslinje")
def timeline(kommun_slug: str, promise_id: int, commitment_id: int) -> ResponseReturnValue:
    """What was decided for the commitment and what happened to it since, month by month."""
    municipality = coordinator_scope(kommun_slug)
    found = promise_in(municipality, promise_id)
    commitment = commitment_in(found, commitment_id)
    actions = actions_of(get_session(), commitment)
    return render_template(
        "promises/timeline.html",
        municipality=municipality,
        promise=found,
        commitment=commitment,
        number=found.commitments.index(commitment) + 1,
        months=timeline_of(actions, tz()),
        action_count=len(actions),
        kinds=EventKind,
        action_status_label=action_status_label,
    )
