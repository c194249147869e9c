"""The ``estapp`` console script: Flask's commands (run, shell, routes) plus our own."""

from __future__ import annotations

import sys
from typing import IO, Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from estapp.config import ConfigError, load_settings


class CommandError(click.ClickException):
    """A clear one-line message in Swedish and a non-zero exit, never a traceback."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Fel: {self.format_message()}", err=True)


def _create_app() -> Flask:
    from estapp import create_app
    from estapp.ops.startup import EXIT_CONFIG, start_refused

    try:
        return create_app()
    except ConfigError as error:
        raise start_refused(str(error), EXIT_CONFIG) from None


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def cli() -> None:
    """estapp: Effektiv samordning för trygghet."""


@cli.group("db")
def db_group() -> None:
    """Manage the database schema."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Revision att gå till.")
def db_upgrade(revision: str) -> None:
    """Build or upgrade the schema to the latest migration."""
    from estapp.migrate import upgrade

    try:
        settings = load_settings()
    except ConfigError as error:
        raise CommandError(str(error)) from None
    from alembic.util import CommandError as UnknownRevision
    from sqlalchemy.exc import OperationalError

    from estapp.ops.checks import database_unreachable
    from estapp.ops.startup import EXIT_UNAVAILABLE, start_refused

    try:
        upgrade(settings.database_url, revision)
    except OperationalError as error:
        problem = database_unreachable(settings.database_url, error)
        raise start_refused(problem.message, EXIT_UNAVAILABLE) from None
    except UnknownRevision as error:
        raise CommandError(f"--revision: {error}") from None
    click.echo("Databasen är uppdaterad.")


@cli.group("seed")
def seed_group() -> None:
    """Fill the database with data."""


@seed_group.command("demo")
@click.option("--if-empty", is_flag=True, help="Gör ingenting om det redan finns kommuner.")
@with_appcontext
def seed_demo(if_empty: bool) -> None:
    """Create demo kommuner, partners, places and accounts (never in production)."""
    from estapp.db import get_session, utcnow
    from estapp.seed.demo import DemoRefused, create_demo_data, database_is_empty, demo_accounts
    from estapp.seed.distribution import create_demo_distribution
    from estapp.seed.history import create_demo_history
    from estapp.seed.meetings import create_demo_meetings

    settings = current_app.config["SETTINGS"]
    session = get_session()
    try:
        with session.begin():
            created = not (if_empty and not database_is_empty(session))
            if created:
                create_demo_data(session, settings)
                create_demo_history(session, utcnow(), tz=settings.tz)
                create_demo_distribution(session)
                create_demo_meetings(session, utcnow(), tz=settings.tz)
    except DemoRefused as error:
        raise CommandError(str(error)) from None
    click.echo("Demodata skapad." if created else "Databasen har redan data; ingen ny demodata.")
    click.echo("Demoinloggningar (lösenordet är ESTAPP_DEMO_PASSWORD, som standard est-demo-2026):")
    for account in demo_accounts():
        click.echo(f"  {account.email:<32} {account.description}")


@seed_group.command("synthetic")
@click.option("--kommuner", default="1", metavar="N", help="Antal kommuner (1–50).")
@click.option("--partners", default="100", metavar="N", help="Aktörer per kommun (1–500).")
@click.option("--weeks", default="260", metavar="N", help="Veckor bakåt från förra veckan.")
@click.option("--per-week", default="50", metavar="N", help="Händelser per aktör och vecka.")
@click.option("--seed", default="2026", metavar="N", help="Slumpfrö; samma frö ger samma data.")
@click.option("--allow-existing", is_flag=True, help="Lägg till även om databasen har data.")
@with_appcontext
def seed_synthetic_command(allow_existing: bool, **texts: str) -> None:
    """Create large synthetic kommuner with years of reports (for benchmarks)."""
    from estapp.db import get_session, utcnow
    from estapp.seed.synthetic import (
        SyntheticRefused,
        describe,
        options_from_text,
        seed_synthetic,
    )

    settings = current_app.config["SETTINGS"]
    try:
        options = options_from_text(
            {f"--{name.replace('_', '-')}": text for name, text in texts.items()}
        )
        click.echo(describe(options))
        created = seed_synthetic(
            get_session(),
            settings,
            options,
            now=utcnow(),
            allow_existing=allow_existing,
            progress=click.echo,
        )
    except SyntheticRefused as error:
        raise CommandError(str(error)) from None
    click.echo("Klart. Inloggningar (lösenordet är ESTAPP_DEMO_PASSWORD):")
    for kommun in created:
        click.echo(f"  {kommun.coordinator_email:<40} samordnare, {kommun.name}")
        click.echo(f"  {kommun.reporter_emails[0]:<40} rapportör (och -002, -003 …)")


def _add_feature_commands() -> None:
    from estapp.backup.commands import export_command, import_command
    from estapp.distribution.commands import outbox_group
    from estapp.distribution.mailsink import mailsink_command
    from estapp.lagesbild.commands import lagesbild_group
    from estapp.ops.commands import check_command
    from estapp.ops.first_admin import create_admin_command
    from estapp.promises.commands import promises_group
    from estapp.retention.commands import retention_group
    from estapp.scheduler import scheduler_command

    cli.add_command(lagesbild_group)
    cli.add_command(promises_group)
    cli.add_command(retention_group)
    cli.add_command(outbox_group)
    cli.add_command(mailsink_command)
    cli.add_command(scheduler_command)
    cli.add_command(check_command)
    cli.add_command(create_admin_command)
    cli.add_command(export_command)
    cli.add_command(import_command)


_add_feature_commands()


def main() -> None:
    try:
        cli.main(prog_name="estapp")
    except ConfigError as error:  # pragma: no cover - defensive, create_app converts it
        click.echo(f"Fel: {error}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
