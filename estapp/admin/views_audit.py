"""The audit log page: read-only, newest first, filterable."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import current_app, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import SelectChoice

from estapp.admin import services
from estapp.admin.audit_labels import action_label, detail_lines, object_label
from estapp.admin.blueprint import bp
from estapp.admin.forms import ALL, AuditFilterForm
from estapp.admin.pages import filter_choices, filter_form, filter_value, page_number
from estapp.admin.queries import audit_actions, audit_events_query, audit_object_types, paginate
from estapp.config import Settings
from estapp.db import get_session
from estapp.models import AuditEvent, User

EVENTS_PER_PAGE = 50


def _start_of_day(day: date) -> datetime:
    """Midnight in the installation's time zone, as UTC (dates on the page are local)."""
    settings: Settings = current_app.config["SETTINGS"]
    return datetime.combine(day, time.min, tzinfo=settings.tz).astimezone(UTC)


def _users_concerned(session: Session, events: list[AuditEvent]) -> dict[int, User]:
    """The accounts the events are about (a failed login, a changed role), by id."""
    ids = {e.object_id for e in events if e.object_type == "user" and e.object_id is not None}
    if not ids:
        return {}
    return {user.id: user for user in session.scalars(select(User).where(User.id.in_(ids)))}


@bp.route("/logg")
def audit_log() -> ResponseReturnValue:
    """List audit events, newest first, filtered by action, user, object, kommun and dates."""
    db = get_session()
    filters = filter_form(
        AuditFilterForm,
        handelse=[ALL, *(SelectChoice(a, action_label(a)) for a in audit_actions(db))],
        typ=[ALL, *(SelectChoice(t, object_label(t)) for t in audit_object_types(db))],
        kommun=filter_choices(services.all_municipalities(db)),
    )
    since, until = filter_value(filters, "fran"), filter_value(filters, "till")
    query = audit_events_query(
        action=filter_value(filters, "handelse"),
        actor_email=filter_value(filters, "anvandare"),
        object_type=filter_value(filters, "typ"),
        object_id=filter_value(filters, "objekt"),
        municipality_id=filter_value(filters, "kommun"),
        since=_start_of_day(since) if since else None,
        before=_start_of_day(until + timedelta(days=1)) if until else None,
    )
    page = paginate(db, query, page_number(), EVENTS_PER_PAGE)
    municipality_names = {m.id: m.name for m in services.all_municipalities(db)}
    return render_template(
        "admin/audit_log.html",
        page=page,
        filters=filters,
        municipality_names=municipality_names,
        users_concerned=_users_concerned(db, page.items),
        action_label=action_label,
        object_label=object_label,
        detail_lines=detail_lines,
    ), (400 if filters.errors else 200)
