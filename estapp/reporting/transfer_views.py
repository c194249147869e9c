"""Importing observations from a file and exporting them, for reporters and coordinators.

Routes are added to the ``reporting`` and ``coordination`` blueprints by :func:`register`.
Reading and writing the files is estapp.reporting.transfer's job; checking the rows is
estapp.reporting.importing's.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from estapp.db import get_session, utcnow
from estapp.models import Municipality, Observation, Organisation, WeeklyReport
from estapp.reporting import coordination, transfer
from estapp.reporting.coordination_views import coordinator_scope, observation_filter
from estapp.reporting.display import concern_label, time_of_day_label
from estapp.reporting.forms import ImportForm
from estapp.reporting.importing import (
    RowError,
    import_observations,
    plan_import,
    refuse_existing,
)
from estapp.reporting.web import commit_with_retry, me, reporter_scope, today, tz
from estapp.weeks import IsoWeek

EXPORT_HEADERS = (
    "Vecka",
    "Datum",
    "Tid på dygnet",
    "Klockslag",
    "Område",
    "Plats",
    "Händelsetyp",
    "Beskrivning",
    "Antal",
    "Oro",
    "Organisation",
    "Sen",
    "Rättad av samordnaren",
)
MAX_EXPORT_ROWS = 50_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
_REGISTERED: set[str] = set()


# --- import -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportTarget:
    """Where a file's rows go: one organisation's reports, or (None) the organisation per row."""

    municipality: Municipality
    organisation: Organisation | None
    blueprint: str

    @property
    def columns(self) -> tuple[tuple[str, str, bool], ...]:
        extra = (transfer.ORGANISATION_COLUMN,) if self.organisation is None else ()
        return (*transfer.COLUMNS, *extra)

    def url(self, endpoint: str, **args: object) -> str:
        return url_for(f"{self.blueprint}.{endpoint}", kommun_slug=self.municipality.slug, **args)


def _weeks_text(weeks: Sequence[IsoWeek]) -> str:
    """'vecka 46 och 47', or with years when the weeks span a new year."""
    ordered = sorted(set(weeks))
    one_year = len({w.year for w in ordered}) == 1
    names = [str(w.week) if one_year else f"{w.week} ({w.year})" for w in ordered]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + _(" och ") + names[-1]
    return _("vecka %(weeks)s", weeks=listed)


def _read_and_import(form: ImportForm, target: ImportTarget) -> ResponseReturnValue | list:
    """Import the uploaded file, or return the bad rows (empty: the file itself was refused)."""
    upload = form.file.data
    try:
        rows = transfer.read_rows(
            upload.filename or "",
            upload.read(),
            with_organisation=target.organisation is None,
        )
    except transfer.UnreadableFile as problem:
        form.file.errors = [*form.file.errors, str(problem)]
        return []
    session = get_session()
    now = utcnow()
    planned, errors = plan_import(
        session, target.municipality, rows, organisation=target.organisation, today=today(now)
    )
    planned, duplicates = refuse_existing(session, target.municipality, planned)
    if errors or duplicates:
        return sorted(errors + duplicates, key=lambda error: error.row)
    count = commit_with_retry(
        lambda: import_observations(
            session,
            me(),
            target.municipality,
            planned,
            tz=tz(),
            now=now,
            filename=upload.filename or "",
        )
    )
    weeks = [item.week for item in planned]
    flash(
        ngettext(
            "%(num)d händelse importerades till %(weeks)s.",
            "%(num)d händelser importerades till %(weeks)s.",
            count,
            weeks=_weeks_text(weeks),
        ),
        "success",
    )
    if target.organisation is None:
        return redirect(
            url_for(
                "coordination.observations",
                kommun_slug=target.municipality.slug,
                fran=str(min(weeks)),
                till=str(max(weeks)),
            )
        )
    return redirect(url_for("reporting.overview"))


def _import_page(target: ImportTarget) -> ResponseReturnValue:
    form = ImportForm()
    row_errors: list[RowError] = []
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            outcome = _read_and_import(form, target)
            if not isinstance(outcome, list):
                return outcome
            row_errors = outcome
        status = 400
    return render_template(
        "reporting/import.html",
        municipality=target.municipality,
        organisation=target.organisation,
        coordinator=target.organisation is None,
        columns=target.columns,
        form=form,
        row_errors=row_errors,
        action=target.url("import_observations"),
        template_xlsx=target.url("import_template_xlsx"),
        template_csv=target.url("import_template_csv"),
        max_kb=transfer.MAX_FILE_BYTES // 1024,
        max_rows=transfer.MAX_ROWS,
    ), status


def _template_rows(target: ImportTarget) -> list[list[str]]:
    rows = transfer.template_rows()
    if target.organisation is not None:
        return rows
    partners = sorted(
        (o.name for o in target.municipality.organisations if o.active), key=str.casefold
    )
    return [[*row, partners[0] if partners else "Polisen"] for row in rows]


def _template_file(target: ImportTarget, suffix: str) -> ResponseReturnValue:
    headers = [name for name, _explanation, _required in target.columns]
    rows = _template_rows(target)
    if suffix == "xlsx":
        data = transfer.write_xlsx("Händelser", headers, rows)
    else:
        data = transfer.write_csv(headers, rows)
    return _download(data, suffix, f"mall-handelser-{target.municipality.slug}.{suffix}")


def _reporter_target(kommun_slug: str) -> ImportTarget:
    municipality, organisation = reporter_scope(kommun_slug)
    return ImportTarget(municipality, organisation, "reporting")


def _coordinator_target(kommun_slug: str) -> ImportTarget:
    return ImportTarget(coordinator_scope(kommun_slug, observations=True), None, "coordination")


def reporter_import(kommun_slug: str) -> ResponseReturnValue:
    """Show the import page for the reporter's organisation; a POST imports a file."""
    return _import_page(_reporter_target(kommun_slug))


def coordinator_import(kommun_slug: str) -> ResponseReturnValue:
    """Show the coordinator's import page (a column names each row's organisation)."""
    return _import_page(_coordinator_target(kommun_slug))


def reporter_template_xlsx(kommun_slug: str) -> ResponseReturnValue:
    """Download the reporter's import template as an Excel workbook."""
    return _template_file(_reporter_target(kommun_slug), "xlsx")


def reporter_template_csv(kommun_slug: str) -> ResponseReturnValue:
    """Download the reporter's import template as CSV."""
    return _template_file(_reporter_target(kommun_slug), "csv")


def coordinator_template_xlsx(kommun_slug: str) -> ResponseReturnValue:
    """Download the coordinator's import template as an Excel workbook."""
    return _template_file(_coordinator_target(kommun_slug), "xlsx")


def coordinator_template_csv(kommun_slug: str) -> ResponseReturnValue:
    """Download the coordinator's import template as CSV."""
    return _template_file(_coordinator_target(kommun_slug), "csv")


# --- export -----------------------------------------------------------------------------------


def _download(data: bytes, suffix: str, filename: str) -> ResponseReturnValue:
    response = send_file(
        io.BytesIO(data),
        mimetype=XLSX_TYPE if suffix == "xlsx" else CSV_TYPE,
        as_attachment=True,
        download_name=filename,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _export_rows(observations: list[Observation]) -> list[list[object]]:
    organisation_ids = {o.organisation_id for o in observations}
    names = {
        organisation_id: name
        for organisation_id, name in get_session().execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(organisation_ids))
        )
    }
    rows: list[list[object]] = []
    for o in observations:
        place = o.place.name if o.place else f"{o.other_place} (annan plats)"
        rows.append(
            [
                str(IsoWeek.of(o.week_start)),
                o.occurred_on,
                time_of_day_label(o.time_of_day) if o.time_of_day else "",
                o.exact_time.strftime("%H:%M") if o.exact_time else "",
                o.area.name,
                place,
                o.category.name,
                o.description,
                o.occurrences,
                concern_label(o.concern),
                names.get(o.organisation_id, ""),
                "ja" if o.late else "nej",
                "ja" if o.corrected_by_coordinator else "nej",
            ]
        )
    return rows


def _export(
    municipality: Municipality,
    wanted: coordination.ObservationFilter,
    suffix: str,
    *,
    back: str,
) -> ResponseReturnValue:
    """The observations that match as a file; more than the cap is refused with a message."""
    found, total = coordination.find_observations(
        get_session(), municipality, wanted, offset=0, limit=MAX_EXPORT_ROWS
    )
    if total > MAX_EXPORT_ROWS:
        flash(
            _(
                "Urvalet har %(total)s händelser. Högst %(max)s kan laddas ner åt gången: "
                "välj färre veckor eller ett smalare urval.",
                total=total,
                max=MAX_EXPORT_ROWS,
            ),
            "error",
        )
        return redirect(back)
    rows = _export_rows(found)
    if suffix == "xlsx":
        data = transfer.write_xlsx("Händelser", EXPORT_HEADERS, rows)
    else:
        data = transfer.write_csv(EXPORT_HEADERS, rows)
    name = f"handelser-{municipality.slug}-{wanted.first_week}-{wanted.last_week}.{suffix}"
    return _download(data, suffix, name)


def _coordinator_export(kommun_slug: str, suffix: str) -> ResponseReturnValue:
    municipality = coordinator_scope(kommun_slug, observations=True)
    _form, wanted = observation_filter(municipality)
    back = url_for("coordination.observations", kommun_slug=municipality.slug, **request.args)
    if wanted is None:
        return redirect(back)  # the list explains what is wrong with the filter
    return _export(municipality, wanted, suffix, back=back)


def coordinator_export_xlsx(kommun_slug: str) -> ResponseReturnValue:
    """Download the filtered observation list as an Excel workbook."""
    return _coordinator_export(kommun_slug, "xlsx")


def coordinator_export_csv(kommun_slug: str) -> ResponseReturnValue:
    """Download the filtered observation list as CSV."""
    return _coordinator_export(kommun_slug, "csv")


def _reporter_export(kommun_slug: str, suffix: str) -> ResponseReturnValue:
    municipality, organisation = reporter_scope(kommun_slug)
    current = IsoWeek.containing(utcnow(), tz())
    first_monday = get_session().scalar(
        select(func.min(WeeklyReport.week_start)).where(
            WeeklyReport.municipality_id == municipality.id,
            WeeklyReport.organisation_id == organisation.id,
        )
    )
    first = min(IsoWeek.of(first_monday), current) if first_monday else current
    wanted = coordination.ObservationFilter(
        first_week=first, last_week=current, organisation_id=organisation.id
    )
    back = url_for("reporting.history", kommun_slug=municipality.slug)
    return _export(municipality, wanted, suffix, back=back)


def reporter_export_xlsx(kommun_slug: str) -> ResponseReturnValue:
    """Download all of the organisation's observations in the kommun as an Excel workbook."""
    return _reporter_export(kommun_slug, "xlsx")


def reporter_export_csv(kommun_slug: str) -> ResponseReturnValue:
    """Download all of the organisation's observations in the kommun as CSV."""
    return _reporter_export(kommun_slug, "csv")


def register(reporting: Blueprint, coordinating: Blueprint) -> None:
    """Add the import and export routes to the reporter's and the coordinator's blueprints."""
    # The blueprints live as long as the process, while create_app runs once per app (in the
    # tests, once per test): rules may be added only before a blueprint's first registration.
    if reporting.name in _REGISTERED:
        return
    _REGISTERED.add(reporting.name)
    for bp, base, page, xlsx, csv in (
        (
            reporting,
            "/rapport/<kommun_slug>",
            reporter_import,
            reporter_template_xlsx,
            reporter_template_csv,
        ),
        (
            coordinating,
            "/samordning/<kommun_slug>",
            coordinator_import,
            coordinator_template_xlsx,
            coordinator_template_csv,
        ),
    ):
        bp.add_url_rule(base + "/import", "import_observations", page, methods=["GET", "POST"])
        bp.add_url_rule(base + "/import/mall.xlsx", "import_template_xlsx", xlsx)
        bp.add_url_rule(base + "/import/mall.csv", "import_template_csv", csv)
    reporting.add_url_rule(
        "/rapport/<kommun_slug>/handelser.xlsx", "export_xlsx", reporter_export_xlsx
    )
    reporting.add_url_rule(
        "/rapport/<kommun_slug>/handelser.csv", "export_csv", reporter_export_csv
    )
    coordinating.add_url_rule(
        "/samordning/<kommun_slug>/handelser.xlsx", "export_xlsx", coordinator_export_xlsx
    )
    coordinating.add_url_rule(
        "/samordning/<kommun_slug>/handelser.csv", "export_csv", coordinator_export_csv
    )
