""" "Mina åtgärder": a partner's reporters see their organisation's actions in every kommun, a
coordinator the actions of their kommuner; the owner's users and the coordinators follow them up.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from estapp.admin.fields import MAX_ID
from estapp.db import get_session, utcnow
from estapp.meetings import actions as action_services
from estapp.meetings.blueprint import bp, refused
from estapp.meetings.forms import FollowUpForm
from estapp.meetings.labels import STATUS_LABELS
from estapp.meetings.rules import NOT_OWNER, WHOLE_FORM, MeetingRefused
from estapp.models import OPEN_STATUSES, Action, ActionStatus, Role
from estapp.reporting.web import me, today

OPEN_FILTER = "oppna"
ALL_FILTER = "alla"


def _filters() -> list[tuple[str, str]]:
    return [
        (OPEN_FILTER, _("Öppna (planerade och pågående)")),
        *((status.value, str(label)) for status, label in STATUS_LABELS.items()),
        (ALL_FILTER, _("Alla")),
    ]


def _statuses(wanted: str) -> tuple[ActionStatus, ...] | None:
    if wanted == ALL_FILTER:
        return None
    if wanted in {s.value for s in ActionStatus}:
        return (ActionStatus(wanted),)
    return OPEN_STATUSES


def _check_role() -> None:
    if me().role not in (Role.REPORTER, Role.COORDINATOR, Role.ADMIN):
        abort(403)


def _page(
    status: int = 200, failed: FollowUpForm | None = None, failed_id: int | None = None
) -> ResponseReturnValue:
    wanted = request.args.get("status", OPEN_FILTER)
    if wanted not in {value for value, _label in _filters()}:
        wanted = OPEN_FILTER
    user = me()
    found = action_services.actions_for(get_session(), user, statuses=_statuses(wanted))
    forms = {
        action.id: FollowUpForm(
            formdata=None,
            prefix=f"a{action.id}",
            status=action.status.value,
            outcome=action.outcome,
        )
        for action in found
        if action_services.may_follow_up(user, action)
    }
    if failed is not None and failed_id in forms:
        forms[failed_id] = failed
    return render_template(
        "meetings/my_actions.html",
        actions=found,
        forms=forms,
        filters=_filters(),
        wanted=wanted,
        today=today(utcnow()),
        several_kommuner=len({a.municipality_id for a in found}) > 1,
    ), status


@bp.route("/mina-atgarder")
def my_actions() -> ResponseReturnValue:
    """List the actions the user's organisation owns (coordinators: their kommuner's)."""
    _check_role()
    return _page()


@bp.route("/mina-atgarder/<int:action_id>", methods=["POST"])
def update_action(action_id: int) -> ResponseReturnValue:
    """Follow up one action: status, note and outcome; only its owner or the coordinators."""
    _check_role()
    session = get_session()
    action = session.get(Action, action_id) if 0 < action_id <= MAX_ID else None
    if action is None:
        abort(404)
    if not action_services.may_follow_up(me(), action):
        flash(str(NOT_OWNER), "error")
        return _page(403)
    form = FollowUpForm(prefix=f"a{action_id}")
    if form.validate():
        try:
            action_services.follow_up_action(session, me(), action, form.to_input(), now=utcnow())
        except MeetingRefused as rejected:
            refused(form, rejected)
            if WHOLE_FORM in rejected.errors:
                return _page(403 if rejected.errors[WHOLE_FORM] == NOT_OWNER else 400)
        else:
            session.commit()
            flash(_("Uppföljningen är sparad."), "success")
            status = request.args.get("status", OPEN_FILTER)
            return redirect(url_for(".my_actions", status=status, _anchor=f"atgard-{action_id}"))
    return _page(400, form, action_id)
