"""``estapp outbox list`` and ``estapp outbox send``: the outbox from the command line."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from estapp.db import get_session, utcnow
from estapp.distribution.outbox import list_messages, send_due
from estapp.models import OutboxMessage, OutboxStatus

STATUS_LABELS = {
    OutboxStatus.QUEUED: "köad",
    OutboxStatus.SENDING: "skickas",
    OutboxStatus.SENT: "skickad",
    OutboxStatus.FAILED: "misslyckad",
}
SUBJECT_WIDTH = 40


@click.group("outbox")
def outbox_group() -> None:
    """Inspect and send the e-mail outbox."""


def _when(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else "–"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(messages: list[OutboxMessage], tz: ZoneInfo) -> list[str]:
    """Aligned rows: id, status, recipient, subject, attempts, next attempt, last error."""
    header = ("id", "status", "mottagare", "ämne", "försök", "nästa försök", "senaste fel")
    rows = [header]
    for message in messages:
        waiting = message.status == OutboxStatus.QUEUED
        rows.append(
            (
                str(message.id),
                STATUS_LABELS[message.status],
                message.recipient,
                _clip(message.subject, SUBJECT_WIDTH),
                str(message.attempts),
                _when(message.next_attempt_at, tz) if waiting else "–",
                " ".join((message.last_error or "").split()),
            )
        )
    # The last column (the error) is left unpadded: it is read in full, not scanned.
    widths = [max(len(row[column]) for row in rows) for column in range(len(header) - 1)]
    return [
        "  ".join(
            [*(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)), row[-1]]
        ).rstrip()
        for row in rows
    ]


@outbox_group.command("list")
@click.option(
    "--status", "status_text", metavar="STATUS", help="queued, sending, sent eller failed."
)
@click.option("--limit", default=100, show_default=True, help="Högst så många, nyaste först.")
@with_appcontext
def list_command(status_text: str | None, limit: int) -> None:
    """List the outbox, newest first, with each message's last error."""
    from estapp.cli import CommandError

    status = None
    if status_text is not None:
        try:
            status = OutboxStatus(status_text.strip().lower())
        except ValueError:
            choices = ", ".join(member.value for member in OutboxStatus)
            raise CommandError(f"okänd status {status_text!r}; välj en av {choices}") from None
    if limit < 1:
        raise CommandError("--limit måste vara minst 1")
    session = get_session()
    messages = list_messages(session, status=status, limit=limit)
    session.rollback()
    if not messages:
        click.echo("Utkorgen är tom." if status is None else "Inga meddelanden med den statusen.")
        return
    for line in format_table(messages, current_app.config["SETTINGS"].tz):
        click.echo(line)


@outbox_group.command("send")
@click.option("--limit", default=50, show_default=True, help="Högst så många meddelanden.")
@with_appcontext
def send_command(limit: int) -> None:
    """Send the due messages once and print what happened."""
    from estapp.cli import CommandError

    if limit < 1:
        raise CommandError("--limit måste vara minst 1")
    summary = send_due(
        current_app.extensions["estapp.sessions"],
        current_app.config["SETTINGS"],
        now=utcnow(),
        limit=limit,
    )
    click.echo(str(summary))
