"""``estapp export FIL`` and ``estapp import FIL``: back up the whole database and restore it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import format_decimal
from sqlalchemy.exc import SQLAlchemyError

from estapp.backup.errors import BackupError, database_reason
from estapp.backup.export import export_database, record_export
from estapp.backup.restore import import_archive
from estapp.db import get_session, utcnow


def _size(size: int) -> str:
    """A file size in Swedish: "812 byte", "3,4 MB"."""
    amount = float(size)
    for unit in ("byte", "kB", "MB", "GB"):
        if amount < 1024 or unit == "GB":
            break
        amount /= 1024
    if unit == "byte":
        return f"{size} byte"
    return f"{format_decimal(amount, format='#,##0.0')} {unit}"


def _local_time(moment: str) -> str:
    """An ISO timestamp from the manifest as local time, or as written if it is not one."""
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError:
        return moment
    return parsed.astimezone(current_app.config["SETTINGS"].tz).strftime("%Y-%m-%d %H:%M")


def _tables_and_rows(tables: int, rows: int) -> str:
    return f"{tables} tabeller med {format_decimal(rows)} {'rad' if rows == 1 else 'rader'}"


@click.command("export")
@click.argument("path", metavar="FIL")
@click.option("--force", is_flag=True, help="Skriv över FIL om den redan finns.")
@with_appcontext
def export_command(path: str, force: bool) -> None:
    """Skriv hela databasen till en säkerhetskopia (ett zip-arkiv).

    Arkivet innehåller alla uppgifter i databasen, också känsliga: händelser,
    namn och e-postadresser, lösenordshashar och bifogade PDF:er. Det skapas
    med rättigheterna 0600, så att bara den användare som kör kommandot kan
    läsa det. Förvara det lika skyddat som databasen själv, helst krypterat,
    och radera kopior som inte längre behövs.
    """
    from estapp.cli import CommandError

    now = utcnow()
    try:
        summary = export_database(
            current_app.extensions["estapp.engine"], Path(path), force=force, now=now
        )
    except BackupError as error:
        raise CommandError(str(error)) from None
    session = get_session()
    try:
        with session.begin():
            record_export(session, summary, now=now)
    except SQLAlchemyError as error:
        raise CommandError(
            f"{summary.path} är skriven, men exporten kunde inte loggas: {database_reason(error)}"
        ) from None
    click.echo(
        f"Exporterade {_tables_and_rows(summary.tables, summary.rows)} till {summary.path} "
        f"({_size(summary.size)}, databasversion {summary.revision})."
    )
    click.echo(
        "Filen innehåller känsliga uppgifter och kan bara läsas av dig (rättigheter 0600); "
        "förvara den säkert."
    )


@click.command("import")
@click.argument("path", metavar="FIL")
@with_appcontext
def import_command(path: str) -> None:
    """Återställ en säkerhetskopia från estapp export till en tom databas.

    Databasen (ESTAPP_DATABASE_URL) får inte ha några rader: antingen inga
    tabeller alls eller ett tomt schema från estapp db upgrade. Hela arkivet
    kontrolleras först (format, databasversion, kontrollsummor och antal
    rader); först därefter skrivs allt i en enda transaktion. Ett skadat eller
    främmande arkiv avvisas utan att något skrivs.
    """
    from estapp.cli import CommandError

    try:
        summary = import_archive(
            current_app.extensions["estapp.engine"],
            current_app.extensions["estapp.sessions"],
            current_app.config["SETTINGS"].database_url,
            Path(path),
            now=utcnow(),
        )
    except BackupError as error:
        raise CommandError(str(error)) from None
    click.echo(
        f"Återställde {_tables_and_rows(summary.tables, summary.rows)} från {summary.path} "
        f"(exporterad {_local_time(summary.exported_at)}, databasversion {summary.revision})."
    )
