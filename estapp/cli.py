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

    try:
        return create_app()
    except ConfigError as error:
        raise CommandError(str(error)) from None


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
    upgrade(settings.database_url, revision)
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


def _add_feature_commands() -> None:
    from estapp.distribution.commands import outbox_group
    from estapp.distribution.mailsink import mailsink_command
    from estapp.lagesbild.commands import lagesbild_group
    from estapp.promises.commands import promises_group
    from estapp.scheduler import scheduler_command

    cli.add_command(lagesbild_group)
    cli.add_command(promises_group)
    cli.add_command(outbox_group)
    cli.add_command(mailsink_command)
    cli.add_command(scheduler_command)


_add_feature_commands()


def main() -> None:
    try:
        cli.main(prog_name="estapp")
    except ConfigError as error:  # pragma: no cover - defensive, create_app converts it
        click.echo(f"Fel: {error}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
