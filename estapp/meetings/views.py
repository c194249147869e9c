"""The EST meeting pages: the kommun's meetings, and one meeting on the projector: agenda,
attendance, new actions, follow-ups, next week's focus places, minutes and locking them.

Who may open them follows the coordinator's board: the kommun's coordinators and the admins.
"Mina åtgärder" is in :mod:`estapp.meetings.action_views`.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms import SelectChoice

from estapp.admin.services import all_municipalities
from estapp.db import get_session, utcnow
from estapp.meetings import action_views, choices, protokoll, services  # noqa: F401 - routes
from estapp.meetings import actions as action_services
from estapp.meetings import agenda as agenda_services
from estapp.meetings.blueprint import bp, refused
from estapp.meetings.forms import (
    ActionForm,
    AttendanceForm,
    FocusForm,
    FollowUpForm,
    MinutesForm,
    StartMeetingForm,
    status_choices,
)
from estapp.meetings.rules import MeetingRefused
from estapp.models import Action, Meeting, Municipality, Role
from estapp.reporting.coordination_views import coordinator_scope
from estapp.reporting.web import me, today, tz, week_from_url
from estapp.weeks import IsoWeek

__all__ = ["bp"]

PAGE_ARGUMENT = "sida"  # which page of the due actions the meeting page shows
MAX_PAGE = 10_000  # a larger number is no page of any meeting: the first is shown


def _scope(kommun_slug: str, week: str) -> tuple[Municipality, Meeting]:
    municipality = coordinator_scope(kommun_slug)
    iso_week = week_from_url(week, now=utcnow())
    meeting = services.meeting_of(get_session(), municipality, iso_week)
    if meeting is None:
        abort(404)
    return municipality, meeting


def _meeting_url(
    municipality: Municipality, meeting: Meeting, anchor: str | None = None, **args: Any
) -> str:
    week = str(IsoWeek.of(meeting.week_start))
    return url_for(".meeting", kommun_slug=municipality.slug, week=week, _anchor=anchor, **args)


def _due_page_asked() -> int | None:
    """The page of due actions the request names (``?sida=``), if any."""
    number = request.args.get(PAGE_ARGUMENT, type=int)
    return number if number is not None and 0 < number <= MAX_PAGE else None


def _start_choices(now_week: IsoWeek) -> list[SelectChoice]:
    last = now_week.shift(-1)
    return [
        SelectChoice(str(last), _("Förra veckan (%(week)s)", week=last.label())),
        SelectChoice(str(now_week), _("Den här veckan (%(week)s)", week=now_week.label())),
    ]


@bp.route("/mote")
def index() -> ResponseReturnValue:
    """Go to the meetings of the coordinator's kommun, or let them choose one."""
    user = me()
    if user.role == Role.ADMIN:
        municipalities = all_municipalities(get_session())
    elif user.role == Role.COORDINATOR:
        municipalities = list(user.municipalities)
    else:
        abort(403)
    if len(municipalities) == 1:
        return redirect(url_for(".meetings", kommun_slug=municipalities[0].slug))
    return render_template("meetings/index.html", municipalities=municipalities)


@bp.route("/mote/<kommun_slug>", methods=["GET", "POST"])
def meetings(kommun_slug: str) -> ResponseReturnValue:
    """List the kommun's meetings; start (or open) the meeting for a week."""
    municipality = coordinator_scope(kommun_slug)
    now = utcnow()
    form = StartMeetingForm()
    form.week.choices = _start_choices(IsoWeek.containing(now, tz()))
    if request.method == "POST" and form.validate():
        session = get_session()
        week = IsoWeek.parse(form.week.data)
        try:
            meeting = services.create_meeting(
                session, me(), municipality, week, held_on=today(now), now=now
            )
        except MeetingRefused as rejected:
            refused(form, rejected)
        else:
            session.commit()
            return redirect(_meeting_url(municipality, meeting))
    status = 400 if form.errors else 200
    found = services.meetings_of(get_session(), municipality)
    return render_template(
        "meetings/list.html",
        municipality=municipality,
        meetings=[(m, IsoWeek.of(m.week_start)) for m in found],
        form=form,
    ), status


def _follow_up_form(
    action: Action, formdata: Any = None, *, statuses: list[SelectChoice] | None = None
) -> FollowUpForm:
    """The action's follow-up form: what was posted, else its status and outcome to change."""
    if formdata is not None:
        return FollowUpForm(formdata=formdata, prefix=f"a{action.id}")
    form = FollowUpForm(
        formdata=None, prefix=f"a{action.id}", status=action.status.value, outcome=action.outcome
    )
    if statuses is not None:
        form.status.choices = statuses
    return form


def _follow_up_forms(agenda: agenda_services.Agenda) -> dict[int, FollowUpForm]:
    statuses = status_choices()
    return {item.action.id: _follow_up_form(item.action, statuses=statuses) for item in agenda.due}


def _meeting_page(
    municipality: Municipality,
    meeting: Meeting,
    *,
    action_form: ActionForm | None = None,
    minutes_form: MinutesForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    session = get_session()
    now = utcnow()
    local_today = today(now)
    agenda = agenda_services.build_agenda(
        session, municipality, meeting, today=local_today, now=now, due_page=_due_page_asked() or 1
    )
    followed = action_services.followed_up_in(session, meeting)
    created = action_services.created_in(session, meeting)
    context: dict[str, Any] = {}
    if not meeting.is_locked:
        if action_form is None:
            action_form = ActionForm(formdata=None)
        choices.fill_action_form(action_form, municipality, agenda)
        attendance = AttendanceForm(formdata=None, attendees=[o.id for o in meeting.attendees])
        choices.fill_attendance_form(attendance, municipality)
        focus = FocusForm(formdata=None, focus_places=list(meeting.focus_place_ids or []))
        choices.fill_focus_form(focus, municipality)
        if minutes_form is None:
            minutes = meeting.minutes
            if request.args.get("utkast") == "nytt" or not minutes:
                minutes = agenda_services.minutes_draft(
                    session,
                    municipality,
                    meeting,
                    followed_up=followed,
                    created=created,
                    open_left=agenda.open_count,
                )
            minutes_form = MinutesForm(formdata=None, minutes=minutes, decisions=meeting.decisions)
        context = {
            "action_form": action_form,
            "attendance": attendance,
            "focus": focus,
            "minutes_form": minutes_form,
            "follow_ups": _follow_up_forms(agenda),
        }
    return render_template(
        "meetings/meeting.html",
        municipality=municipality,
        meeting=meeting,
        week=IsoWeek.of(meeting.week_start),
        agenda=agenda,
        today=local_today,
        followed=followed,
        created=created,
        focus_places=agenda_services.focus_place_names(session, meeting),
        table_rows=agenda_services.table_rows(agenda, local_today),
        **context,
    ), status


def _action_page(
    municipality: Municipality,
    meeting: Meeting,
    action: Action,
    *,
    form: FollowUpForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    if meeting.is_locked:
        form = None  # a locked meeting's actions are shown, not followed up
    elif form is None:
        form = _follow_up_form(action)
    return render_template(
        "meetings/action.html",
        municipality=municipality,
        meeting=meeting,
        week=IsoWeek.of(meeting.week_start),
        action=action,
        today=today(utcnow()),
        form=form,
        due_page=_due_page_asked(),
    ), status


@bp.route("/mote/<kommun_slug>/<week>")
def meeting(kommun_slug: str, week: str) -> ResponseReturnValue:
    """Show the meeting: agenda from the lägesbild and the open actions, and the minutes."""
    municipality, found = _scope(kommun_slug, week)
    return _meeting_page(municipality, found)


@bp.route("/mote/<kommun_slug>/<week>/narvaro", methods=["POST"])
def attendance(kommun_slug: str, week: str) -> ResponseReturnValue:
    """Note which partners attend."""
    municipality, found = _scope(kommun_slug, week)
    form = AttendanceForm()
    choices.fill_attendance_form(form, municipality)
    if not form.validate():
        flash(_("Välj bland kommunens aktörer."), "error")
        return redirect(_meeting_url(municipality, found, "narvaro"))
    session = get_session()
    try:
        services.set_attendance(session, me(), found, form.attendees.data or [], now=utcnow())
    except MeetingRefused as rejected:
        refused(None, rejected)
    else:
        session.commit()
        flash(_("Närvaron är sparad."), "success")
    return redirect(_meeting_url(municipality, found, "narvaro"))


@bp.route("/mote/<kommun_slug>/<week>/atgard", methods=["POST"])
def new_action(kommun_slug: str, week: str) -> ResponseReturnValue:
    """Decide a new action in the meeting."""
    municipality, found = _scope(kommun_slug, week)
    session = get_session()
    now = utcnow()
    form = ActionForm()
    agenda = agenda_services.build_agenda(session, municipality, found, today=today(now), now=now)
    choices.fill_action_form(form, municipality, agenda)
    if form.validate():
        try:
            action_services.create_action(
                session,
                me(),
                municipality,
                form.to_input(),
                meeting=found,
                today=today(now),
                now=now,
            )
        except MeetingRefused as rejected:
            refused(form, rejected)
        else:
            session.commit()
            flash(_("Åtgärden är beslutad."), "success")
            return redirect(_meeting_url(municipality, found, "nya-atgarder"))
    return _meeting_page(municipality, found, action_form=form, status=400)


@bp.route("/mote/<kommun_slug>/<week>/atgard/<int:action_id>")
def action_page(kommun_slug: str, week: str, action_id: int) -> ResponseReturnValue:
    """Show one of the kommun's actions in the meeting, with its follow-up form."""
    municipality, found = _scope(kommun_slug, week)
    actions = agenda_services.card_actions(get_session(), municipality, [action_id])
    if not actions:
        abort(404)
    return _action_page(municipality, found, actions[0])


@bp.route("/mote/<kommun_slug>/<week>/atgard/<int:action_id>", methods=["POST"])
def follow_up(kommun_slug: str, week: str, action_id: int) -> ResponseReturnValue:
    """Follow up an open action in the meeting: status, note and outcome."""
    municipality, found = _scope(kommun_slug, week)
    session = get_session()
    action = action_services.action_in(session, municipality, action_id)
    if action is None:
        abort(404)
    form = _follow_up_form(action, formdata=request.form)
    if form.validate():
        try:
            action_services.follow_up_action(
                session, me(), action, form.to_input(), meeting=found, now=utcnow()
            )
        except MeetingRefused as rejected:
            refused(form, rejected)
        else:
            session.commit()
            flash(_("Uppföljningen är sparad."), "success")
            # Back to where the meeting was: the action if it is still open, else the list of
            # what the meeting has followed up.
            anchor = f"atgard-{action_id}" if action.is_open else "uppfoljt"
            page = _due_page_asked()
            args = {PAGE_ARGUMENT: page} if page and page > 1 else {}
            return redirect(_meeting_url(municipality, found, anchor, **args))
    return _action_page(municipality, found, action, form=form, status=400)


@bp.route("/mote/<kommun_slug>/<week>/fokus", methods=["POST"])
def focus_places(kommun_slug: str, week: str) -> ResponseReturnValue:
    """Decide next week's focus places."""
    municipality, found = _scope(kommun_slug, week)
    form = FocusForm()
    choices.fill_focus_form(form, municipality)
    session = get_session()
    if not form.validate():
        flash(_("Välj fokusplatser bland kommunens platser."), "error")
    else:
        try:
            services.set_focus_places(
                session, me(), found, form.focus_places.data or [], now=utcnow()
            )
        except MeetingRefused as rejected:
            refused(None, rejected)
        else:
            session.commit()
            flash(_("Fokusplatserna för nästa vecka är sparade."), "success")
    return redirect(_meeting_url(municipality, found, "fokus"))


@bp.route("/mote/<kommun_slug>/<week>/protokoll", methods=["POST"])
def minutes(kommun_slug: str, week: str) -> ResponseReturnValue:
    """Save the minutes and decisions; then, if asked, go on to lock them."""
    municipality, found = _scope(kommun_slug, week)
    form = MinutesForm()
    if form.validate():
        session = get_session()
        try:
            services.save_minutes(
                session,
                me(),
                found,
                minutes=form.minutes.data or "",
                decisions=form.decisions.data or "",
                now=utcnow(),
            )
        except MeetingRefused as rejected:
            refused(form, rejected)
        else:
            session.commit()
            if request.form.get("then") == "lock":
                return redirect(url_for(".lock", kommun_slug=municipality.slug, week=week))
            flash(_("Protokollet är sparat."), "success")
            return redirect(_meeting_url(municipality, found, "protokoll"))
    if found.is_locked:
        return redirect(_meeting_url(municipality, found))
    return _meeting_page(municipality, found, minutes_form=form, status=400)


@bp.route("/mote/<kommun_slug>/<week>/las", methods=["GET", "POST"])
def lock(kommun_slug: str, week: str) -> ResponseReturnValue:
    """Ask, then lock the minutes and mail the protokoll to the distribution list."""
    municipality, found = _scope(kommun_slug, week)
    if found.is_locked:
        flash(_("Protokollet är redan låst."), "info")
        return redirect(_meeting_url(municipality, found))
    session = get_session()
    if request.method == "POST":
        try:
            mailed = protokoll.lock_and_send(session, me(), municipality, found, now=utcnow())
        except MeetingRefused as rejected:
            refused(None, rejected)
            return redirect(_meeting_url(municipality, found))
        session.commit()
        flash(
            _(
                "Protokollet är låst. Det skickas som PDF till %(count)s mottagare på sändlistan.",
                count=mailed,
            )
            if mailed
            else _("Protokollet är låst. Ingen på sändlistan tar emot protokoll."),
            "success",
        )
        return redirect(_meeting_url(municipality, found))
    return render_template(
        "meetings/lock.html",
        municipality=municipality,
        meeting=found,
        week=IsoWeek.of(found.week_start),
        minutes=found.minutes or agenda_services.minutes_draft(session, municipality, found),
    )


@bp.route("/mote/<kommun_slug>/<week>/protokoll.pdf")
def protokoll_pdf(kommun_slug: str, week: str) -> ResponseReturnValue:
    """Download the locked protokoll as a PDF."""
    municipality, found = _scope(kommun_slug, week)
    if not found.is_locked:
        abort(404)
    rendered = protokoll.render_protokoll(
        get_session(), municipality, found, settings=current_app.config["SETTINGS"]
    )
    response = Response(rendered.data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{protokoll.file_name(municipality, found)}"'
    )
    return response
