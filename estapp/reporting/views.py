"""A reporter's pages: the open weeks, the veckorapport with its observations, and history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from estapp.db import get_session, utcnow
from estapp.models import Municipality, Organisation, Role, WeeklyReport
from estapp.reporting import display, observation_views, services
from estapp.reporting.coordination import observation_counts
from estapp.reporting.domain import open_weeks
from estapp.reporting.forms import SubmitForm
from estapp.reporting.web import (
    PER_PAGE,
    commit_with_retry,
    me,
    page_number,
    reporter_scope,
    tz,
    week_from_url,
)
from estapp.weeks import IsoWeek

bp = Blueprint("reporting", __name__)
display.register(bp)
observation_views.register(bp)


@dataclass(frozen=True)
class WeekSummary:
    """One week of one kommun, as a reporter's lists show it."""

    municipality: Municipality
    week: IsoWeek
    report: WeeklyReport | None
    observation_count: int
    deadline: datetime
    status: str
    is_open: bool

    @property
    def url(self) -> str:
        """The veckorapport, ready for editing (a closed week opens in edit mode, marked late)."""
        extra = {} if self.is_open else {"andra": "1"}
        return url_for(
            "reporting.week", kommun_slug=self.municipality.slug, week_text=str(self.week), **extra
        )


def _summaries(
    municipality: Municipality, organisation: Organisation, weeks: list[IsoWeek], now: datetime
) -> list[WeekSummary]:
    session = get_session()
    reports = {
        report.week_start: report
        for report in session.scalars(
            select(WeeklyReport).where(
                WeeklyReport.municipality_id == municipality.id,
                WeeklyReport.organisation_id == organisation.id,
                WeeklyReport.week_start.in_([w.monday for w in weeks]),
            )
        )
    }
    counts = observation_counts(session, [r.id for r in reports.values()])
    still_open = open_weeks(now, tz(), municipality.deadline_weekday, municipality.deadline_time)
    summaries = []
    for week in weeks:
        report = reports.get(week.monday)
        deadline = services.report_deadline(municipality, week, tz())
        status = display.own_status_label(
            report.status if report else None,
            bool(report and report.late),
            overdue=now > deadline,
        )
        count = counts.get(report.id, 0) if report else 0
        summaries.append(
            WeekSummary(municipality, week, report, count, deadline, status, week in still_open)
        )
    return summaries


def weeks_to_report(municipality: Municipality, organisation: Organisation, now: datetime) -> list:
    """The open weeks, plus last week while it is still not submitted after its deadline."""
    weeks = open_weeks(now, tz(), municipality.deadline_weekday, municipality.deadline_time)
    last = IsoWeek.containing(now, tz()).shift(-1)
    if last not in weeks:
        report = services.find_report(get_session(), municipality, organisation, last)
        if report is None or report.submitted_at is None:
            weeks.insert(0, last)
    return _summaries(municipality, organisation, weeks, now)


@bp.app_template_global()
def reporting_weeks(municipality: Municipality) -> list[WeekSummary]:
    """For the start page: the weeks the logged-in reporter is asked about in a kommun."""
    organisation = current_user.organisation
    if current_user.role != Role.REPORTER or organisation is None:
        return []
    if not services.may_report(me(), municipality, organisation):
        return []
    return weeks_to_report(municipality, organisation, utcnow())


def _own_municipalities() -> list[Municipality]:
    if current_user.role != Role.REPORTER:
        abort(403)
    organisation = current_user.organisation
    if organisation is None or not organisation.active:
        return []
    return sorted(organisation.municipalities, key=lambda m: m.name)


@bp.route("/rapport")
def overview() -> ResponseReturnValue:
    """List the weeks to report for each kommun the reporter's organisation takes part in."""
    now = utcnow()
    municipalities = _own_municipalities()
    organisation = current_user.organisation
    kommuner = [(m, weeks_to_report(m, organisation, now)) for m in municipalities]
    return render_template("reporting/overview.html", kommuner=kommuner, now=now)


@bp.route("/rapport/<kommun_slug>/<week_text>", methods=["GET", "POST"])
def week(kommun_slug: str, week_text: str) -> ResponseReturnValue:
    """Show the veckorapport; a POST adds an observation."""
    municipality, organisation = reporter_scope(kommun_slug)
    now = utcnow()
    week = week_from_url(week_text, now=now)
    return observation_views.week_page(municipality, organisation, week, now)


@bp.route("/rapport/<kommun_slug>/<week_text>/skicka", methods=["POST"])
def submit(kommun_slug: str, week_text: str) -> ResponseReturnValue:
    """Submit the week, or report that there is nothing to report."""
    municipality, organisation = reporter_scope(kommun_slug)
    now = utcnow()
    week = week_from_url(week_text, now=now)
    form = SubmitForm()
    if not form.validate_on_submit():
        abort(400)
    nothing = request.form.get("action") == "inget"
    deadline = services.report_deadline(municipality, week, tz())
    session = get_session()
    back = redirect(url_for(".week", kommun_slug=municipality.slug, week_text=str(week)))

    def submit_once() -> str:
        report = services.find_report(session, municipality, organisation, week)
        if report is not None and services.is_already_submitted(report, nothing_to_report=nothing):
            return "already"
        # Without a report nothing can have changed since the page was opened.
        expected = None if report is None else form.revision_number() or -1
        report = report or services.open_report(session, municipality, organisation, week, now=now)
        services.submit_report(
            session,
            me(),
            report,
            nothing_to_report=nothing,
            expected_revision=expected,
            deadline=deadline,
            now=now,
        )
        return "late" if report.late else "done"

    try:
        outcome = commit_with_retry(submit_once)
    except services.ReportingRefused as refused:
        session.rollback()
        flash(str(refused), "error")
        return back
    label = _("vecka %(week)s", week=week.week)
    if outcome == "already":
        flash(_("Veckan är redan inskickad. Inget har ändrats."), "info")
    elif nothing:
        flash(
            _(
                "Tack! Du har rapporterat att det inte finns något att rapportera %(week)s.",
                week=label,
            ),
            "success",
        )
    else:
        flash(_("Tack! Rapporten för %(week)s är inskickad.", week=label), "success")
    if outcome == "late":
        flash(_("Rapporten kom in efter tidsfristen och är markerad som sen."), "warning")
    return back


@bp.route("/rapport/historik")
def history_index() -> ResponseReturnValue:
    """Go to the history of the reporter's kommun, or let them choose one."""
    municipalities = _own_municipalities()
    if len(municipalities) == 1:
        return redirect(url_for(".history", kommun_slug=municipalities[0].slug))
    return render_template("reporting/history_index.html", municipalities=municipalities)


@bp.route("/rapport/<kommun_slug>/historik")
def history(kommun_slug: str) -> ResponseReturnValue:
    """List the organisation's weeks in the kommun, newest first."""
    municipality, organisation = reporter_scope(kommun_slug)
    now = utcnow()
    current = IsoWeek.containing(now, tz())
    first_monday = get_session().scalar(
        select(func.min(WeeklyReport.week_start)).where(
            WeeklyReport.municipality_id == municipality.id,
            WeeklyReport.organisation_id == organisation.id,
        )
    )
    first = min(IsoWeek.of(first_monday), current) if first_monday else current
    total = (current.monday - first.monday).days // 7 + 1
    page = min(page_number(), (total - 1) // PER_PAGE + 1)
    start = (page - 1) * PER_PAGE
    weeks = [current.shift(-offset) for offset in range(start, min(start + PER_PAGE, total))]
    return render_template(
        "reporting/history.html",
        municipality=municipality,
        organisation=organisation,
        summaries=_summaries(municipality, organisation, weeks, now),
        page=page,
        pages=(total - 1) // PER_PAGE + 1,
        page_url=lambda number: url_for(".history", kommun_slug=kommun_slug, sida=number),
    )
