"""The yearly follow-up's download: the PDF of a calendar year, for the kommun's coordinators.

The form that asks for it is the partial ``promises/_yearly_report.html``; it needs only
``municipality`` (and shows nothing to those who may not download), with ``promise``, when
given, as the page to come back to if the year is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from estapp.db import get_session, utcnow
from estapp.models import Municipality
from estapp.promises import services
from estapp.promises.blueprint import bp, may_edit_promises
from estapp.promises.yearly import YearlyReportRefused, parse_year, yearly_report
from estapp.promises.yearly_pdf import file_name, render_yearly
from estapp.promises.yearly_queries import years_covered
from estapp.reporting.coordination_views import coordinator_scope
from estapp.reporting.web import today, tz


@dataclass(frozen=True)
class YearChoices:
    years: tuple[int, ...]
    chosen: int


@bp.app_template_global()
def yearly_report_years(municipality: Municipality) -> YearChoices | None:
    """The years the form offers (those the kommun's promises in force cover, up to this
    one), with this year chosen when it is one of them; None for those who may not download."""
    if not may_edit_promises(municipality):
        return None
    this_year = today(utcnow()).year
    years = tuple(y for y in years_covered(get_session(), municipality) if y <= this_year)
    if not years:
        return None
    return YearChoices(years, this_year if this_year in years else years[-1])


def _back(municipality: Municipality) -> str:
    """The promise page the form was on, else the kommun's list of promises."""
    text = request.args.get("lofte", "")
    if text.isascii() and text.isdigit():
        promise = services.promise_of(get_session(), municipality, int(text))
        if promise is not None:
            return url_for(".promise", kommun_slug=municipality.slug, promise_id=promise.id)
    return url_for(".promises", kommun_slug=municipality.slug)


@bp.route("/medborgarloften/<kommun_slug>/arsuppfoljning")
def yearly_report_pdf(kommun_slug: str) -> ResponseReturnValue:
    """Download the yearly follow-up of the kommun's medborgarlöfte as a PDF."""
    municipality = coordinator_scope(kommun_slug)
    day = today(utcnow())
    try:
        year = parse_year(request.args.get("ar"))
        report = yearly_report(get_session(), municipality, year, today=day, zone=tz())
    except YearlyReportRefused as refused:
        flash(str(refused), "error")
        return redirect(_back(municipality))
    rendered = render_yearly(report, today=day)
    response = Response(rendered.data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name(report)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
