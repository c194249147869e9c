"""Settings: one frozen, typed object built from ``ESTAPP_*`` environment variables."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENVIRONMENTS = ("development", "production", "test")
SMTP_SECURITY_MODES = ("none", "starttls", "ssl")
LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("debug", "info", "warning", "error")
DEFAULT_PDF_MARKING = "Får inte spridas utanför EST-gruppen"
DEFAULT_INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"
MAX_PROXY_COUNT = 5  # a longer chain of trusted proxies is a configuration mistake

T = TypeVar("T")


class ConfigError(Exception):
    """One or more settings are missing or invalid; each message names its variable.

    ``str(error)`` is the first problem, one line; ``problems`` holds them all, in order.
    """

    def __init__(self, *problems: str) -> None:
        super().__init__(problems[0])
        self.problems = list(problems)


@dataclass(frozen=True)
class Settings:
    env: str
    database_url: str
    secret_key: str = field(repr=False)
    base_url: str
    timezone: str
    smtp_host: str
    smtp_port: int
    smtp_user: str
    smtp_password: str = field(repr=False)
    smtp_security: str
    mail_from: str
    session_idle_timeout: timedelta
    session_lifetime: timedelta
    login_max_failures: int
    login_window: timedelta
    demo_password: str = field(repr=False)
    instance_dir: Path
    # The weekly lägesbild compile: every Monday at this local time, for the week just ended.
    compile_at: time = time(6, 0)
    # Counts below this are shown as "<3" in anything shown beyond the coordinators.
    suppression_threshold: int = 3
    # Printed in the footer of every lägesbild PDF page.
    pdf_marking: str = DEFAULT_PDF_MARKING
    # "json": one JSON object per log line (web app and scheduler), for a log collector.
    log_format: str = "text"
    log_level: str = "info"
    # Reverse proxies (nginx, load balancer) in front of the app whose X-Forwarded-For and
    # X-Forwarded-Proto are trusted: the client's address (login throttling) and https.
    proxy_count: int = 0
    # gunicorn (gunicorn.conf.py): worker processes, where to listen, seconds per request.
    web_workers: int = 2
    web_bind: str = "127.0.0.1:8000"
    web_timeout: int = 60

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _text(env: Mapping[str, str], name: str, default: str = "") -> str:
    return env.get(name, default).strip()


def _integer(
    env: Mapping[str, str], name: str, default: int, *, minimum: int = 1, maximum: int | None = None
) -> int:
    raw = _text(env, name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} måste vara ett heltal, inte {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} måste vara minst {minimum}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name} får vara högst {maximum}")
    return value


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _text(env, name, default).lower() or default
    if value not in choices:
        raise ConfigError(f"{name} måste vara en av {', '.join(choices)}, inte {value!r}")
    return value


def _development_secret(instance_dir: Path) -> str:
    """Generate a secret once and keep it, so development sessions survive a restart.

    Several processes may start at once (gunicorn workers, the scheduler): the key is written
    to a temporary file and linked into place, so exactly one key wins and all read it.
    """
    path = instance_dir / "secret_key"
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        candidate = instance_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48))
        try:
            with contextlib.suppress(FileExistsError):  # another process was first: use its key
                os.link(candidate, path)
        finally:
            candidate.unlink()
    return path.read_text().strip()


def _clock(env: Mapping[str, str], name: str, default: time) -> time:
    raw = _text(env, name)
    if not raw:
        return default
    try:
        hours, minutes = (int(part) for part in raw.split(":"))
        return time(hours, minutes)
    except ValueError:
        raise ConfigError(f"{name} måste vara en tid som 06:00, inte {raw!r}") from None


def _check_database_url(url: str) -> None:
    scheme = urlsplit(url).scheme.split("+")[0]
    if scheme not in ("sqlite", "postgresql"):
        raise ConfigError(
            "ESTAPP_DATABASE_URL måste börja med sqlite:// eller postgresql://"
            f" (fick {scheme or 'ingen adress'!r})"
        )


def _default_workers() -> int:
    """gunicorn's rule of thumb, two per core and one more, capped: each holds WeasyPrint."""
    return min(2 * (os.cpu_count() or 1) + 1, 9)


def _bind(env: Mapping[str, str]) -> str:
    """Where gunicorn listens: ``host:port`` or ``unix:/absolute/path``."""
    bind = _text(env, "ESTAPP_WEB_BIND", "127.0.0.1:8000")
    if bind.startswith("unix:"):
        if not bind.removeprefix("unix:").startswith("/"):
            raise ConfigError(f"ESTAPP_WEB_BIND måste ange en absolut sökväg: {bind!r}")
        return bind
    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"ESTAPP_WEB_BIND måste vara värd:port eller unix:/sökväg, inte {bind!r}")
    return bind


def _database_url(env: Mapping[str, str], production: bool, instance_dir: Path) -> str:
    database_url = _text(env, "ESTAPP_DATABASE_URL")
    if not database_url:
        if production:
            raise ConfigError("ESTAPP_DATABASE_URL saknas (krävs i produktion)")
        return f"sqlite:///{instance_dir / 'estapp.sqlite3'}"
    _check_database_url(database_url)
    return database_url


def _secret_key(env: Mapping[str, str], production: bool) -> str:
    """The configured key; empty outside production means "generate one in the instance dir"."""
    secret_key = _text(env, "ESTAPP_SECRET_KEY")
    if production and len(secret_key) < 32:
        raise ConfigError(
            "ESTAPP_SECRET_KEY saknas eller är kortare än 32 tecken (krävs i produktion)"
        )
    return secret_key


def _base_url(env: Mapping[str, str], production: bool) -> str:
    base_url = _text(env, "ESTAPP_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    if urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).netloc:
        raise ConfigError(f"ESTAPP_BASE_URL måste vara en http(s)-adress, inte {base_url!r}")
    if production and not _text(env, "ESTAPP_BASE_URL"):
        raise ConfigError("ESTAPP_BASE_URL saknas (krävs i produktion för länkar i e-post)")
    return base_url


def _timezone(env: Mapping[str, str]) -> str:
    timezone = _text(env, "ESTAPP_TIMEZONE", "Europe/Stockholm")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"ESTAPP_TIMEZONE är ingen känd tidszon: {timezone!r}") from None
    return timezone


def _smtp_host(env: Mapping[str, str], production: bool) -> str:
    smtp_host = _text(env, "ESTAPP_SMTP_HOST", "" if production else "127.0.0.1")
    if production and not smtp_host:
        raise ConfigError("ESTAPP_SMTP_HOST saknas (krävs i produktion)")
    return smtp_host


def _mail_from(env: Mapping[str, str], production: bool) -> str:
    mail_from = _text(env, "ESTAPP_MAIL_FROM", "" if production else "estapp@localhost")
    if "@" not in mail_from:
        raise ConfigError(f"ESTAPP_MAIL_FROM måste vara en e-postadress, inte {mail_from!r}")
    return mail_from


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the settings; raise ConfigError naming every bad variable."""
    env = os.environ if environ is None else environ
    problems: list[str] = []

    def read(parse: Callable[[], T], fallback: T) -> T:
        try:
            return parse()
        except ConfigError as error:
            problems.extend(error.problems)
            return fallback

    # An unknown environment is checked as strictly as production.
    mode = read(lambda: _choice(env, "ESTAPP_ENV", "development", ENVIRONMENTS), "production")
    production = mode == "production"
    instance_dir = Path(_text(env, "ESTAPP_INSTANCE_DIR") or DEFAULT_INSTANCE_DIR)
    database_url = read(lambda: _database_url(env, production, instance_dir), "")
    secret_key = read(lambda: _secret_key(env, production), "")
    base_url = read(lambda: _base_url(env, production), "")
    timezone = read(lambda: _timezone(env), "Europe/Stockholm")
    smtp_security = read(
        lambda: _choice(env, "ESTAPP_SMTP_SECURITY", "none", SMTP_SECURITY_MODES), "none"
    )
    default_port = {"none": 25, "starttls": 587, "ssl": 465}[smtp_security]
    smtp_host = read(lambda: _smtp_host(env, production), "")
    smtp_port = read(lambda: _integer(env, "ESTAPP_SMTP_PORT", default_port, maximum=65535), 0)
    mail_from = read(lambda: _mail_from(env, production), "")

    def minutes(name: str, default: int) -> timedelta:
        return timedelta(minutes=read(lambda: _integer(env, name, default), default))

    session_idle_timeout = minutes("ESTAPP_SESSION_IDLE_MINUTES", 60)
    session_lifetime = timedelta(
        hours=read(lambda: _integer(env, "ESTAPP_SESSION_LIFETIME_HOURS", 12), 12)
    )
    login_max_failures = read(lambda: _integer(env, "ESTAPP_LOGIN_MAX_FAILURES", 10), 10)
    login_window = minutes("ESTAPP_LOGIN_WINDOW_MINUTES", 15)
    compile_at = read(lambda: _clock(env, "ESTAPP_COMPILE_AT", time(6, 0)), time(6, 0))
    suppression_threshold = read(
        lambda: _integer(env, "ESTAPP_SUPPRESSION_THRESHOLD", 3, minimum=3), 3
    )
    log_format = read(lambda: _choice(env, "ESTAPP_LOG_FORMAT", "text", LOG_FORMATS), "text")
    log_level = read(lambda: _choice(env, "ESTAPP_LOG_LEVEL", "info", LOG_LEVELS), "info")
    proxy_count = read(
        lambda: _integer(env, "ESTAPP_PROXY_COUNT", 0, minimum=0, maximum=MAX_PROXY_COUNT), 0
    )
    web_workers = read(
        lambda: _integer(env, "ESTAPP_WEB_WORKERS", _default_workers(), maximum=64), 1
    )
    web_bind = read(lambda: _bind(env), "")
    web_timeout = read(lambda: _integer(env, "ESTAPP_WEB_TIMEOUT", 60, minimum=10), 60)
    if problems:
        raise ConfigError(*problems)

    # Only now, with every value valid, touch the file system.
    if not _text(env, "ESTAPP_DATABASE_URL"):
        instance_dir.mkdir(parents=True, exist_ok=True)
    if not secret_key:
        secret_key = _development_secret(instance_dir)

    return Settings(
        env=mode,
        database_url=database_url,
        secret_key=secret_key,
        base_url=base_url,
        timezone=timezone,
        smtp_host=smtp_host,
        smtp_port=smtp_port,
        smtp_user=_text(env, "ESTAPP_SMTP_USER"),
        smtp_password=env.get("ESTAPP_SMTP_PASSWORD", ""),
        smtp_security=smtp_security,
        mail_from=mail_from,
        session_idle_timeout=session_idle_timeout,
        session_lifetime=session_lifetime,
        login_max_failures=login_max_failures,
        login_window=login_window,
        demo_password=_text(env, "ESTAPP_DEMO_PASSWORD", "est-demo-2026"),
        instance_dir=instance_dir,
        compile_at=compile_at,
        suppression_threshold=suppression_threshold,
        pdf_marking=_text(env, "ESTAPP_PDF_MARKING", DEFAULT_PDF_MARKING) or DEFAULT_PDF_MARKING,
        log_format=log_format,
        log_level=log_level,
        proxy_count=proxy_count,
        web_workers=web_workers,
        web_bind=web_bind,
        web_timeout=web_timeout,
    )
