"""``estapp promises report``: write the yearly follow-up of a kommun's medborgarlöfte."""

from __future__ import annotations

import errno
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from estapp.db import get_session, utcnow
from estapp.models import Municipality
from estapp.promises.yearly import YearlyReportRefused, parse_year, yearly_report
from estapp.promises.yearly_pdf import file_name, render_yearly

WRITE_PROBLEMS = {
    errno.ENOENT: "mappen finns inte",
    errno.ENOTDIR: "mappen finns inte",
    errno.EACCES: "behörighet saknas",
    errno.EPERM: "behörighet saknas",
    errno.EROFS: "filsystemet går bara att läsa",
    errno.EISDIR: "det är en mapp",
    errno.ENOSPC: "disken är full",
}


@click.group("promises")
def promises_group() -> None:
    """Medborgarlöften: the yearly follow-up."""


def _write(path: Path, data: bytes) -> None:
    # Imported here: estapp.cli registers this command, so a top-level import would be circular.
    from estapp.cli import CommandError

    try:
        path.write_bytes(data)
    except OSError as error:
        reason = WRITE_PROBLEMS.get(error.errno or 0, error.strerror or str(error))
        raise CommandError(f"kan inte skriva {path}: {reason}") from None


@promises_group.command("report")
@click.option("--kommun", "slug", metavar="SLUG", help="Kommunens kortnamn, t.ex. ekbacka.")
@click.option("--year", "year_text", metavar="ÅÅÅÅ", help="Kalenderåret, t.ex. 2026.")
@click.option(
    "-o", "--output", "output", metavar="FIL", help="Filen att skriva; standard är filnamnet här."
)
@with_appcontext
def report_command(slug: str | None, year_text: str | None, output: str | None) -> None:
    """Write the yearly follow-up of the kommun's medborgarlöfte as a PDF."""
    from estapp.cli import CommandError

    if not slug:
        raise CommandError("ange kommunen med --kommun SLUG, t.ex. --kommun ekbacka")
    if not year_text:
        raise CommandError("ange året med --year ÅÅÅÅ, t.ex. --year 2026")
    settings = current_app.config["SETTINGS"]
    today = utcnow().astimezone(settings.tz).date()
    session = get_session()
    try:
        year = parse_year(year_text)
        municipality = session.scalar(
            select(Municipality).where(Municipality.slug == slug.strip().lower())
        )
        if municipality is None:
            raise CommandError(f"det finns ingen kommun med kortnamnet {slug!r}")
        report = yearly_report(session, municipality, year, today=today, zone=settings.tz)
    except YearlyReportRefused as refused:
        raise CommandError(str(refused)) from None
    finally:
        session.rollback()
    rendered = render_yearly(report, today=today)
    path = Path(output) if output else Path.cwd() / file_name(report)
    _write(path, rendered.data)
    pages = "1 sida" if rendered.pages == 1 else f"{rendered.pages} sidor"
    click.echo(f"Skrev årsuppföljningen till {path} ({pages}).")
