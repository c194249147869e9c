"""``estapp check``: validate the configuration before a start, one line per problem."""

from __future__ import annotations

import sys

import click
from sqlalchemy import make_url

from estapp.config import ConfigError, Settings, load_settings
from estapp.ops.checks import Problem, smtp_connection_problems, startup_problems
from estapp.ops.startup import EXIT_CONFIG, EXIT_UNAVAILABLE


def _summary(settings: Settings, *, smtp: bool) -> str:
    database = make_url(settings.database_url)
    where = database.host or database.database or ""
    mail = f"e-post via {settings.smtp_host}:{settings.smtp_port} ({settings.smtp_security})"
    if smtp:
        mail += ", servern svarar"
    return (
        f"Konfigurationen är i ordning: miljö {settings.env}; "
        f"databas {database.get_backend_name()} {where}; {mail}."
    )


@click.command("check")
@click.option(
    "--smtp",
    "try_smtp",
    is_flag=True,
    help="Anslut också till e-postservern och logga in (inget brev skickas).",
)
def check_command(try_smtp: bool) -> None:
    """Validate the ESTAPP_* settings, the database and the mail settings before a start.

    Exit status 0 when all hold, 78 when a setting must be fixed, 69 when only the database
    (or the mail server) is not ready yet.
    """
    try:
        settings = load_settings()
    except ConfigError as error:
        problems = [Problem(message) for message in error.problems]
    else:
        problems = startup_problems(settings)
        if try_smtp:
            problems += smtp_connection_problems(settings)
    if problems:
        for problem in problems:
            click.echo(f"Fel: {problem}", err=True)
        sys.exit(EXIT_UNAVAILABLE if all(p.transient for p in problems) else EXIT_CONFIG)
    click.echo(_summary(settings, smtp=try_smtp))
