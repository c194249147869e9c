"""``estapp lagesbild compile``: compile a week's lägesbild from the command line."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from estapp.db import get_session, utcnow
from estapp.lagesbild import services
from estapp.models import CompileReason, Municipality, SituationPicture
from estapp.weeks import InvalidWeek, IsoWeek


@click.group("lagesbild")
def lagesbild_group() -> None:
    """Compile and inspect lägesbilder."""


def summary(municipality: Municipality, picture: SituationPicture, created: bool) -> str:
    """One Swedish line about a compiled week."""
    week = IsoWeek.of(picture.week_start)
    head = f"{municipality.name}, {week.label()}: "
    if not created:
        return head + f"oförändrad – ingen ny version (version {picture.version} gäller)"
    payload = picture.payload
    flagged = [row["label"] for row in payload["by_category"] if row["deviation"] != "normal"]
    return head + (
        f"version {picture.version} skapad, {payload['total']} händelser, "
        f"ovanliga förändringar: {', '.join(flagged) if flagged else 'inga'}"
    )


@lagesbild_group.command("compile")
@click.option("--kommun", "slug", metavar="SLUG", help="Kommunens kortnamn, t.ex. ekbacka.")
@click.option("--all", "every", is_flag=True, help="Alla kommuner.")
@click.option("--week", "week_text", metavar="ÅÅÅÅ-Wvv", help="Vecka; standard är förra veckan.")
@with_appcontext
def compile_command(slug: str | None, every: bool, week_text: str | None) -> None:
    """Compile the week's lägesbild; an unchanged week gets no new version."""
    # Imported here: estapp.cli registers this command, so a top-level import would be circular.
    from estapp.cli import CommandError

    settings = current_app.config["SETTINGS"]
    now = utcnow()
    if bool(slug) == every:
        raise CommandError("ange antingen --kommun SLUG eller --all")
    try:
        week = (
            IsoWeek.parse(week_text)
            if week_text
            else IsoWeek.containing(now, settings.tz).shift(-1)
        )
    except InvalidWeek as error:
        raise CommandError(str(error)) from None
    session = get_session()
    query = select(Municipality).order_by(Municipality.name)
    if slug:
        query = query.where(Municipality.slug == slug.strip().lower())
    municipalities = list(session.scalars(query))
    session.rollback()
    if slug and not municipalities:
        raise CommandError(f"det finns ingen kommun med kortnamnet {slug!r}")
    for municipality in municipalities:
        try:
            with session.begin():
                picture, created = services.compile_picture(
                    session,
                    municipality,
                    week,
                    reason=CompileReason.CLI,
                    actor=None,
                    now=now,
                    tz=settings.tz,
                )
        except services.PictureRefused as error:
            raise CommandError(str(error)) from None
        click.echo(summary(municipality, picture, created))
