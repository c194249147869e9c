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


@lagesbild_group.command("pdf")
@click.option("--kommun", "slug", required=True, metavar="SLUG", help="Kommunens kortnamn.")
@click.option("--week", "week_text", required=True, metavar="ÅÅÅÅ-Wvv", help="T.ex. 2026-W47.")
@click.option("--version", "number", type=int, help="Version; standard är den senaste.")
@click.option("-o", "--output", "output", required=True, metavar="FIL", help="Filen att skriva.")
@with_appcontext
def pdf_command(slug: str, week_text: str, number: int | None, output: str) -> None:
    """Write a week's lägesbild as a PDF (small counts suppressed, as for partners)."""
    from estapp.cli import CommandError
    from estapp.lagesbild import pdf

    settings = current_app.config["SETTINGS"]
    try:
        week = IsoWeek.parse(week_text)
    except InvalidWeek as error:
        raise CommandError(str(error)) from None
    session = get_session()
    municipality = session.scalar(
        select(Municipality).where(Municipality.slug == slug.strip().lower())
    )
    if municipality is None:
        raise CommandError(f"det finns ingen kommun med kortnamnet {slug!r}")
    versions = services.versions_of(session, municipality, week)
    if not versions:
        raise CommandError(f"{municipality.name} har ingen lägesbild för {week.label()}")
    picture = versions[0]
    if number is not None:
        picture = next((p for p in versions if p.version == number), None)
        if picture is None:
            raise CommandError(
                f"{municipality.name}, {week.label()} har ingen version {number} "
                f"(senaste är {versions[0].version})"
            )
    rendered = pdf.render_picture(session, picture, settings=settings, now=utcnow())
    session.rollback()
    try:
        with open(output, "wb") as target:
            target.write(rendered.data)
    except OSError as error:
        raise CommandError(f"kan inte skriva {output}: {error.strerror or error}") from None
    click.echo(f"Skrev {output} ({rendered.pages} {'sida' if rendered.pages == 1 else 'sidor'})")
