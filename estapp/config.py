"""Settings: one frozen, typed object built from ``ESTAPP_*`` environment variables."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENVIRONMENTS = ("development", "production", "test")
SMTP_SECURITY_MODES = ("none", "starttls", "ssl")
DEFAULT_PDF_MARKING = "Får inte spridas utanför EST-gruppen"
DEFAULT_INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


class ConfigError(Exception):
    """A setting is missing or invalid; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    env: str
    database_url: str
    secret_key: str
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

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _text(env: Mapping[str, str], name: str, default: str = "") -> str:
    return env.get(name, default).strip()


def _integer(env: Mapping[str, str], name: str, default: int, *, minimum: int = 1) -> int:
    raw = _text(env, name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} måste vara ett heltal, inte {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} måste vara minst {minimum}")
    return value


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _text(env, name, default).lower() or default
    if value not in choices:
        raise ConfigError(f"{name} måste vara en av {', '.join(choices)}, inte {value!r}")
    return value


def _development_secret(instance_dir: Path) -> str:
    """Generate a secret once and keep it, so development sessions survive a restart."""
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


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


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the settings; raise ConfigError naming the first bad variable."""
    env = os.environ if environ is None else environ
    mode = _choice(env, "ESTAPP_ENV", "development", ENVIRONMENTS)
    production = mode == "production"
    instance_dir = Path(_text(env, "ESTAPP_INSTANCE_DIR") or DEFAULT_INSTANCE_DIR)

    database_url = _text(env, "ESTAPP_DATABASE_URL")
    if not database_url:
        if production:
            raise ConfigError("ESTAPP_DATABASE_URL saknas (krävs i produktion)")
        instance_dir.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{instance_dir / 'estapp.sqlite3'}"
    _check_database_url(database_url)

    secret_key = _text(env, "ESTAPP_SECRET_KEY")
    if production and len(secret_key) < 32:
        raise ConfigError(
            "ESTAPP_SECRET_KEY saknas eller är kortare än 32 tecken (krävs i produktion)"
        )
    if not secret_key:
        secret_key = _development_secret(instance_dir)

    base_url = _text(env, "ESTAPP_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    if urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).netloc:
        raise ConfigError(f"ESTAPP_BASE_URL måste vara en http(s)-adress, inte {base_url!r}")
    if production and not _text(env, "ESTAPP_BASE_URL"):
        raise ConfigError("ESTAPP_BASE_URL saknas (krävs i produktion för länkar i e-post)")

    timezone = _text(env, "ESTAPP_TIMEZONE", "Europe/Stockholm")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"ESTAPP_TIMEZONE är ingen känd tidszon: {timezone!r}") from None

    smtp_security = _choice(env, "ESTAPP_SMTP_SECURITY", "none", SMTP_SECURITY_MODES)
    default_port = {"none": 25, "starttls": 587, "ssl": 465}[smtp_security]
    smtp_host = _text(env, "ESTAPP_SMTP_HOST", "" if production else "127.0.0.1")
    if production and not smtp_host:
        raise ConfigError("ESTAPP_SMTP_HOST saknas (krävs i produktion)")
    mail_from = _text(env, "ESTAPP_MAIL_FROM", "" if production else "estapp@localhost")
    if "@" not in mail_from:
        raise ConfigError(f"ESTAPP_MAIL_FROM måste vara en e-postadress, inte {mail_from!r}")

    return Settings(
        env=mode,
        database_url=database_url,
        secret_key=secret_key,
        base_url=base_url,
        timezone=timezone,
        smtp_host=smtp_host,
        smtp_port=_integer(env, "ESTAPP_SMTP_PORT", default_port),
        smtp_user=_text(env, "ESTAPP_SMTP_USER"),
        smtp_password=env.get("ESTAPP_SMTP_PASSWORD", ""),
        smtp_security=smtp_security,
        mail_from=mail_from,
        session_idle_timeout=timedelta(minutes=_integer(env, "ESTAPP_SESSION_IDLE_MINUTES", 60)),
        session_lifetime=timedelta(hours=_integer(env, "ESTAPP_SESSION_LIFETIME_HOURS", 12)),
        login_max_failures=_integer(env, "ESTAPP_LOGIN_MAX_FAILURES", 10),
        login_window=timedelta(minutes=_integer(env, "ESTAPP_LOGIN_WINDOW_MINUTES", 15)),
        demo_password=_text(env, "ESTAPP_DEMO_PASSWORD", "est-demo-2026"),
        instance_dir=instance_dir,
        compile_at=_clock(env, "ESTAPP_COMPILE_AT", time(6, 0)),
        suppression_threshold=_integer(env, "ESTAPP_SUPPRESSION_THRESHOLD", 3, minimum=3),
        pdf_marking=_text(env, "ESTAPP_PDF_MARKING", DEFAULT_PDF_MARKING) or DEFAULT_PDF_MARKING,
    )
