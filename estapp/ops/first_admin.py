"""``estapp create-admin``: the first administrator of a new installation (demo data is never
created in production), invited by a set-password link like any other account."""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext

from estapp.admin.accounts import invite_user
from estapp.admin.errors import InvalidChange
from estapp.auth.services import PASSWORD_TOKEN_LIFETIME
from estapp.db import get_session, utcnow
from estapp.distribution.invitation_mail import queue_invitation
from estapp.models import Role


@click.command("create-admin")
@click.option("--email", required=True, help="Administratörens e-postadress.")
@click.option("--name", required=True, help="Administratörens namn, som det visas i appen.")
@with_appcontext
def create_admin_command(email: str, name: str) -> None:
    """Create an administrator and print the link where they choose a password."""
    from estapp.cli import CommandError  # estapp.cli registers this command

    try:
        address = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise CommandError(f"--email: {email.strip()!r} är ingen giltig e-postadress") from None
    if not name.strip():
        raise CommandError("--name: ange administratörens namn")
    session = get_session()
    now = utcnow()
    try:
        with session.begin():
            user, token = invite_user(
                session,
                None,  # type: ignore[arg-type]  # no one is logged in: the audit log says "system"
                email=address,
                name=name,
                role=Role.ADMIN,
                organisation=None,
                municipalities=[],
                now=now,
            )
            link = queue_invitation(session, user, token, now=now)
    except InvalidChange as error:
        raise CommandError(str(error)) from None
    click.echo(
        f"Administratören {user.email} är skapad. Öppna länken och välj ett lösenord; den gäller "
        f"i {PASSWORD_TOKEN_LIFETIME.days} dagar och skickas också med e-post:"
    )
    click.echo(link)
