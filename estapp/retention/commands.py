"""``estapp retention run [--dry-run]``: gallra by hand, or see what tonight's run would delete."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session, sessionmaker

from estapp.config import Settings
from estapp.db import utcnow
from estapp.retention.purge import KommunPurge, run_retention


@click.group("retention")
def retention_group() -> None:
    """Gallring: delete observations older than each kommun's retention period."""


def _observations(count: int) -> str:
    return f"{count} händelse" if count == 1 else f"{count} händelser"


def describe(found: KommunPurge, *, dry_run: bool) -> str:
    """One line per kommun: its period, what goes by category, and the first week kept."""
    head = f"{found.name} (gallringsfrist {found.months} månader)"
    kept = f"sparar händelser från {found.first_kept.label()}"
    if not found.observations and not found.drafts:
        return f"{head}: inget att radera; {kept}."
    counted = ", ".join(
        f"{c.name} {c.count}" + (f", egen frist {c.months} månader" if c.own_period else "")
        for c in found.categories
        if c.count
    )
    verb = "skulle radera" if dry_run else "raderade"
    what = f"{verb} {_observations(found.observations)}" + (f" ({counted})" if counted else "")
    return f"{head}: {what} och {found.drafts} utkast; {kept}."


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="Räkna bara det som skulle raderas; ändra inget.")
@with_appcontext
def run_command(dry_run: bool) -> None:
    """Delete each kommun's observations older than its period (each run is audited)."""
    settings: Settings = current_app.config["SETTINGS"]
    sessions: sessionmaker[Session] = current_app.extensions["estapp.sessions"]
    results = run_retention(sessions, now=utcnow(), tz=settings.tz, dry_run=dry_run)
    if not results:
        click.echo("Det finns inga kommuner.")
    for found in results:
        click.echo(describe(found, dry_run=dry_run))
    if dry_run:
        click.echo("Provkörning: inget är raderat.")
