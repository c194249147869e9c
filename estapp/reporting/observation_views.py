"""The veckorapport page and its observations: add, change, remove, and drafts kept as one types.

Routes are added to the ``reporting`` blueprint by :func:`register` (see views.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from estapp.db import get_session, utcnow
from estapp.models import Municipality, Observation, Organisation, WeeklyReport
from estapp.reporting import display, privacy, services
from estapp.reporting.coordination import gallring_for, report_observations
from estapp.reporting.domain import open_weeks
from estapp.reporting.forms import ObservationForm, SubmitForm
from estapp.reporting.web import (
    commit_with_retry,
    me,
    observation_form,
    own_observation,
    put_errors,
    reporter_scope,
    today,
    tz,
    week_from_url,
)
from estapp.weeks import IsoWeek


@dataclass
class SaveOutcome:
    """What became of a submitted observation form."""

    saved: Observation | None = None
    findings: list[privacy.Finding] = field(default_factory=list)
    name_warning: bool = False


def _findings_in(form: ObservationForm) -> list[privacy.Finding]:
    text = form.description.data
    return privacy.check_text(text) if isinstance(text, str) else []


def save_from_form(
    form: ObservationForm,
    municipality: Municipality,
    organisation: Organisation,
    week: IsoWeek,
    observation: Observation | None,
    now: datetime,
) -> SaveOutcome:
    """Validate the form, let the services check and save it, and commit; or say what is wrong."""
    form.week, form.today = week, today(now)
    if not form.validate_on_submit():
        # Show personal data right away too, not only after the other fields are fixed.
        findings = _findings_in(form)
        if privacy.blocking(findings) and not form.description.errors:
            messages = " ".join(f.message for f in privacy.blocking(findings))
            put_errors(form, {"description": messages})
        return SaveOutcome(findings=findings, name_warning=bool(privacy.warnings(findings)))
    data = form.to_input()
    session = get_session()
    deadline = services.report_deadline(municipality, week, tz())

    def save() -> Observation:
        report = (
            observation.report
            if observation is not None
            else services.open_report(session, municipality, organisation, week, now=now)
        )
        return services.save_observation(
            session, me(), report, data, observation=observation, deadline=deadline, now=now
        )

    try:
        return SaveOutcome(saved=commit_with_retry(save))
    except services.ObservationRejected as rejected:
        session.rollback()
        put_errors(form, rejected.errors)
        place_text = data.other_place if data.place_id is None else None
        name_warning = privacy.warnings(rejected.findings) or privacy.warnings(
            privacy.check_text(place_text or "")
        )
        return SaveOutcome(findings=rejected.findings, name_warning=bool(name_warning))


def _restored_form(
    municipality: Municipality,
    report: WeeklyReport | None,
    observation: Observation | None,
    default_day: date | None,
) -> tuple[ObservationForm, datetime | None]:
    """The form for a GET: what the user left unsaved if there is a draft, else the defaults."""
    session = get_session()
    observation_id = observation.id if observation else None
    fields = services.load_draft(session, me(), report, observation_id) if report else None
    if report is None or fields is None:
        form = observation_form(municipality, observation=observation, default_day=default_day)
        return form, None
    form = observation_form(municipality, observation=observation, formdata=MultiDict(fields))
    return form, services.draft_saved_at(session, me(), report, observation_id)


def _form_context(form: ObservationForm, outcome: SaveOutcome | None) -> dict[str, object]:
    findings = outcome.findings if outcome else []
    text = form.description.data if isinstance(form.description.data, str) else ""
    return {
        "form": form,
        "marked": privacy.mark(text, findings) if findings else [],
        "findings": findings,
        "show_name_confirmation": bool(outcome and outcome.name_warning)
        or bool(form.accept_name_warning.data),
    }


def week_page(
    municipality: Municipality, organisation: Organisation, week: IsoWeek, now: datetime
) -> ResponseReturnValue:
    """Render the veckorapport (GET) or add an observation to it (POST)."""
    session = get_session()
    deadline = services.report_deadline(municipality, week, tz())
    is_open = week in open_weeks(
        now, tz(), municipality.deadline_weekday, municipality.deadline_time
    )
    context: dict[str, object] = {"form": None, "draft_saved_at": None}
    status = 200
    if request.method == "POST":
        form = observation_form(municipality)
        outcome = save_from_form(form, municipality, organisation, week, None, now)
        if outcome.saved is not None:
            flash(_("Händelsen är sparad."), "success")
            return redirect(_week_url(municipality, week) + "#handelser")
        context.update(_form_context(form, outcome))
        status = 400
    report = services.find_report(session, municipality, organisation, week)
    gallrad = gallring_for(municipality, today=today(now)).of(week)
    # A week gallring has emptied offers no form: what it saved would only be refused. (A form
    # sent from a page opened earlier still gets its answer at the field.)
    editing = request.method == "POST" or (
        not (gallrad and gallrad.whole) and (is_open or request.args.get("andra") == "1")
    )
    if editing and request.method != "POST":
        default_day = today(now) if week.contains(today(now)) else None
        form, saved_at = _restored_form(municipality, report, None, default_day)
        context.update(_form_context(form, None), draft_saved_at=saved_at)
    observations = report_observations(session, report)
    return render_template(
        "reporting/week.html",
        municipality=municipality,
        organisation=organisation,
        week=week,
        report=report,
        observations=observations,
        deadline=deadline,
        overdue=now > deadline,
        is_open=is_open,
        editing=editing,
        gallrad=gallrad,
        status_label=display.own_status_label(
            report.status if report else None,
            bool(report and report.late),
            overdue=now > deadline,
        ),
        submit_form=SubmitForm(revision=str(report.revision if report else 0)),
        changed_after_submission=bool(
            report and report.submitted_at and report.updated_at > report.submitted_at
        ),
        **context,
    ), status


def _week_url(municipality: Municipality, week: IsoWeek, *, editing: bool | None = None) -> str:
    """The veckorapport; a closed week opens in edit mode when the user was just editing it."""
    if editing is None:
        weeks = open_weeks(
            utcnow(), tz(), municipality.deadline_weekday, municipality.deadline_time
        )
        editing = week not in weeks
    args = {"andra": "1"} if editing else {}
    return url_for(".week", kommun_slug=municipality.slug, week_text=str(week), **args)


def _scope(kommun_slug: str, week_text: str) -> tuple[Municipality, Organisation, IsoWeek]:
    municipality, organisation = reporter_scope(kommun_slug)
    return municipality, organisation, week_from_url(week_text, now=utcnow())


def edit_observation(kommun_slug: str, week_text: str, observation_id: int) -> ResponseReturnValue:
    """Change one of the organisation's observations."""
    municipality, organisation, week = _scope(kommun_slug, week_text)
    observation = own_observation(municipality, organisation, week, observation_id)
    now = utcnow()
    status = 200
    saved_at = None
    if request.method == "POST":
        form = observation_form(municipality, observation=observation)
        outcome = save_from_form(form, municipality, organisation, week, observation, now)
        if outcome.saved is not None:
            flash(_("Händelsen är ändrad."), "success")
            return redirect(_week_url(municipality, week) + "#handelser")
        status = 400
    else:
        outcome = None
        form, saved_at = _restored_form(municipality, observation.report, observation, None)
    deadline = services.report_deadline(municipality, week, tz())
    return render_template(
        "reporting/edit.html",
        municipality=municipality,
        week=week,
        observation=observation,
        overdue=now > deadline,
        deadline=deadline,
        draft_saved_at=saved_at,
        **_form_context(form, outcome),
    ), status


def remove_observation(
    kommun_slug: str, week_text: str, observation_id: int
) -> ResponseReturnValue:
    """Remove one of the organisation's observations."""
    municipality, organisation, week = _scope(kommun_slug, week_text)
    observation = own_observation(municipality, organisation, week, observation_id)
    session = get_session()
    now = utcnow()
    deadline = services.report_deadline(municipality, week, tz())
    services.remove_observation(session, me(), observation, deadline=deadline, now=now)
    session.commit()
    flash(_("Händelsen är borttagen."), "success")
    return redirect(_week_url(municipality, week) + "#handelser")


def _keep(
    session: Session, report: WeeklyReport, observation_id: int | None
) -> ResponseReturnValue:
    now = utcnow()
    services.keep_draft(session, me(), report, observation_id, request.form.to_dict(), now=now)
    return jsonify(
        saved_at=now.isoformat(),
        message=_("Utkastet sparades kl. %(time)s.", time=display.clock(now)),
    )


def keep_new_draft(kommun_slug: str, week_text: str) -> ResponseReturnValue:
    """Keep what is typed into the new-observation form (called by draft.js)."""
    municipality, organisation, week = _scope(kommun_slug, week_text)
    session = get_session()

    def keep() -> ResponseReturnValue:
        report = services.open_report(session, municipality, organisation, week, now=utcnow())
        return _keep(session, report, None)

    return commit_with_retry(keep)


def keep_edit_draft(kommun_slug: str, week_text: str, observation_id: int) -> ResponseReturnValue:
    """Keep what is typed into the form changing an observation (called by draft.js)."""
    municipality, organisation, week = _scope(kommun_slug, week_text)
    observation = own_observation(municipality, organisation, week, observation_id)
    session = get_session()
    return commit_with_retry(lambda: _keep(session, observation.report, observation.id))


def discard_new_draft(kommun_slug: str, week_text: str) -> ResponseReturnValue:
    """Throw away the unsaved new observation."""
    municipality, organisation, week = _scope(kommun_slug, week_text)
    session = get_session()
    report = services.find_report(session, municipality, organisation, week)
    if report is not None:
        services.discard_draft(session, me(), report, None)
        session.commit()
    flash(_("Utkastet är slängt."), "success")
    return redirect(_week_url(municipality, week) + "#ny-handelse")


def discard_edit_draft(
    kommun_slug: str, week_text: str, observation_id: int
) -> ResponseReturnValue:
    """Throw away the unsaved changes to an observation."""
    municipality, organisation, week = _scope(kommun_slug, week_text)
    observation = own_observation(municipality, organisation, week, observation_id)
    session = get_session()
    services.discard_draft(session, me(), observation.report, observation.id)
    session.commit()
    flash(_("Utkastet är slängt."), "success")
    return redirect(
        url_for(
            ".edit_observation",
            kommun_slug=municipality.slug,
            week_text=str(week),
            observation_id=observation.id,
        )
    )


def register(bp: Blueprint) -> None:
    week_url = "/rapport/<kommun_slug>/<week_text>"
    item_url = week_url + "/handelse/<int:observation_id>"
    bp.add_url_rule(item_url, view_func=edit_observation, methods=["GET", "POST"])
    bp.add_url_rule(item_url + "/ta-bort", view_func=remove_observation, methods=["POST"])
    bp.add_url_rule(week_url + "/utkast", view_func=keep_new_draft, methods=["POST"])
    bp.add_url_rule(week_url + "/utkast/slang", view_func=discard_new_draft, methods=["POST"])
    bp.add_url_rule(item_url + "/utkast", view_func=keep_edit_draft, methods=["POST"])
    bp.add_url_rule(item_url + "/utkast/slang", view_func=discard_edit_draft, methods=["POST"])
