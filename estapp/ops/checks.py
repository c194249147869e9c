"""What ``estapp check`` and every start verify beyond the settings' own validation.

Each problem is one line that begins with the ESTAPP_ variable to fix. A start (gunicorn,
``estapp scheduler``) refuses on the first problem; ``estapp check`` lists them all and can
also try the SMTP server (``--smtp``), which a start never does: mail waits in the outbox.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError as AlembicError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from estapp.config import Settings
from estapp.distribution import smtp
from estapp.migrate import alembic_config

DATABASE_CONNECT_TIMEOUT = 5  # seconds; a start must not hang on a host that does not answer
# Words that give away a placeholder or a key copied from documentation.
PLACEHOLDER_WORDS = (
    "byt-ut",
    "changeme",
    "change-me",
    "example",
    "exempel",
    "secret",
    "hemlig",
    "password",
    "losenord",
    "lösenord",
    "estapp",
)
MIN_DISTINCT_CHARACTERS = 10
KEY_GENERATOR_COMMAND = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
SSL_PORTS = frozenset({465})
PLAIN_PORTS = frozenset({25, 587})
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class Problem:
    """One line naming the setting; ``transient`` when waiting may mend it (a database that is
    still starting), so a service manager should try again rather than give up."""

    message: str
    transient: bool = False

    def __str__(self) -> str:
        return self.message


def one_line(error: BaseException) -> str:
    """An exception's message on one line (driver messages often span several)."""
    cause = getattr(error, "orig", None) or error
    return re.sub(r"\s+", " ", str(cause)).strip()


def secret_key_problems(settings: Settings) -> list[Problem]:
    """In production the key must be random, not a placeholder from an example."""
    if not settings.is_production:
        return []
    key = settings.secret_key
    lowered = key.lower()
    if len(set(key)) < MIN_DISTINCT_CHARACTERS or any(w in lowered for w in PLACEHOLDER_WORDS):
        return [
            Problem(
                "ESTAPP_SECRET_KEY ser ut som ett exempel- eller standardvärde; skapa en "
                f"slumpad nyckel med: {KEY_GENERATOR_COMMAND}"
            )
        ]
    return []


def base_url_problems(settings: Settings) -> list[Problem]:
    """In production logins need https: the session cookie is only sent over https."""
    if settings.is_production and not settings.base_url.startswith("https://"):
        return [
            Problem(
                f"ESTAPP_BASE_URL måste börja med https:// i produktion (inloggningen kräver "
                f"https), inte {settings.base_url!r}"
            )
        ]
    return []


def smtp_problems(settings: Settings) -> list[Problem]:
    """SMTP settings that contradict each other; nothing is sent over the network."""
    problems = []
    port, security = settings.smtp_port, settings.smtp_security
    if security == "ssl" and port in PLAIN_PORTS:
        problems.append(
            Problem(
                f"ESTAPP_SMTP_SECURITY=ssl passar inte ESTAPP_SMTP_PORT={port}: port {port} "
                "används med starttls eller none, ssl med port 465"
            )
        )
    if security != "ssl" and port in SSL_PORTS:
        problems.append(
            Problem(
                f"ESTAPP_SMTP_SECURITY={security} passar inte ESTAPP_SMTP_PORT={port}: port "
                "465 används med ssl"
            )
        )
    if settings.smtp_user and not settings.smtp_password:
        problems.append(Problem("ESTAPP_SMTP_PASSWORD saknas fast ESTAPP_SMTP_USER är satt"))
    if settings.smtp_password and not settings.smtp_user:
        problems.append(Problem("ESTAPP_SMTP_USER saknas fast ESTAPP_SMTP_PASSWORD är satt"))
    if (
        settings.is_production
        and settings.smtp_user
        and security == "none"
        and settings.smtp_host.lower() not in LOOPBACK_HOSTS
    ):
        problems.append(
            Problem(
                f"ESTAPP_SMTP_SECURITY=none skickar lösenordet okrypterat till "
                f"{settings.smtp_host}; använd starttls eller ssl"
            )
        )
    if settings.is_production:
        try:
            validate_email(smtp.sender_address(settings), check_deliverability=False)
        except EmailNotValidError as error:
            problems.append(Problem(f"ESTAPP_MAIL_FROM är ingen giltig avsändare: {error}"))
    return problems


def smtp_connection_problems(settings: Settings) -> list[Problem]:
    """Connect to the SMTP server, secure the connection and log in, as the outbox will."""
    try:
        smtp.verify_connection(settings)
    except smtp.DeliveryFailure as failure:
        return [Problem(f"ESTAPP_SMTP_HOST/ESTAPP_SMTP_PORT: {failure}", transient=True)]
    return []


def _probe_engine(url: URL) -> Engine:
    connect_args: dict[str, object] = {}
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = DATABASE_CONNECT_TIMEOUT
    return create_engine(url, poolclass=NullPool, connect_args=connect_args)


def _migration_problem(url: URL, current: tuple[str, ...]) -> Problem | None:
    script = ScriptDirectory.from_config(alembic_config(url.render_as_string(False)))
    heads = tuple(script.get_heads())
    if set(current) == set(heads):
        return None
    if not current:
        return Problem(
            "ESTAPP_DATABASE_URL: databasen saknar estapps tabeller; kör estapp db upgrade",
            transient=True,
        )
    try:
        for revision in current:
            script.get_revision(revision)
    except AlembicError:
        return Problem(
            f"ESTAPP_DATABASE_URL: databasen har en nyare version ({', '.join(current)}) än "
            "den här versionen av estapp känner till; uppdatera estapp"
        )
    return Problem(
        f"ESTAPP_DATABASE_URL: databasen är inte uppdaterad (version {', '.join(current)}, "
        f"estapp behöver {', '.join(heads)}); kör estapp db upgrade",
        transient=True,
    )


def database_unreachable(database_url: str, error: BaseException) -> Problem:
    """The database did not answer; the URL is shown without its password."""
    shown = make_url(database_url).render_as_string(hide_password=True)
    return Problem(
        f"ESTAPP_DATABASE_URL: databasen {shown} svarar inte: {one_line(error)}", transient=True
    )


def database_problems(settings: Settings) -> list[Problem]:
    """The URL parses, the database answers and it is migrated to this code's head."""
    try:
        url = make_url(settings.database_url)
    except ArgumentError as error:
        return [Problem(f"ESTAPP_DATABASE_URL kan inte tolkas: {one_line(error)}")]
    # Connecting to a missing SQLite file would create it empty; say what is missing instead.
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return [
            Problem(
                f"ESTAPP_DATABASE_URL: databasfilen {url.database} finns inte; kör "
                "estapp db upgrade",
                transient=True,
            )
        ]
    engine = _probe_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = tuple(MigrationContext.configure(connection).get_current_heads())
    except (SQLAlchemyError, OSError) as error:
        return [database_unreachable(settings.database_url, error)]
    finally:
        engine.dispose()
    problem = _migration_problem(url, current)
    return [problem] if problem else []


# What every start verifies, cheapest first; the database last.
STARTUP_CHECKS: tuple[Callable[[Settings], list[Problem]], ...] = (
    secret_key_problems,
    base_url_problems,
    smtp_problems,
    database_problems,
)


def startup_problems(settings: Settings) -> list[Problem]:
    """Every problem a start would refuse on, in order (for ``estapp check``)."""
    return [problem for check in STARTUP_CHECKS for problem in check(settings)]


def first_startup_problem(settings: Settings) -> Problem | None:
    """The problem a start refuses on, without checking further (no database for a bad key)."""
    for check in STARTUP_CHECKS:
        problems = check(settings)
        if problems:
            return problems[0]
    return None
