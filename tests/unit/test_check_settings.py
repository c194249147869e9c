"""What `estapp check` and every start refuse without touching the network: settings that
are invalid, contradict each other, or are placeholders; and the example environment file."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from estapp.config import ConfigError, load_settings
from estapp.ops.checks import base_url_problems, secret_key_problems, smtp_problems

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "deploy" / "estapp.env.example"

PRODUCTION = {
    "ESTAPP_ENV": "production",
    "ESTAPP_DATABASE_URL": "postgresql+psycopg://estapp@db/estapp",
    "ESTAPP_SECRET_KEY": "Zq3v-8KpLw2N_xYt6RbHs1MdUe9GcJfA4oVi7TnQ",
    "ESTAPP_BASE_URL": "https://est.example.se",
    "ESTAPP_SMTP_HOST": "smtp.example.se",
    "ESTAPP_MAIL_FROM": "est@example.se",
}


def production(**changes: str):
    return load_settings({**PRODUCTION, **changes})


def messages(problems) -> list[str]:
    return [str(problem) for problem in problems]


def read_example() -> dict[str, str]:
    """The example file as systemd's EnvironmentFile (and a POSIX shell) reads it."""
    values = {}
    for line in EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value.strip('"')
    return values


# --- the secret key -------------------------------------------------------------------------


def test_a_random_production_key_passes():
    key = secrets.token_urlsafe(48)
    assert secret_key_problems(production(ESTAPP_SECRET_KEY=key)) == []


@pytest.mark.parametrize(
    "key",
    [
        "k" * 40,  # long enough, but not random
        "byt-ut-mot-en-slumpad-nyckel-med-minst-32-tecken",  # the example file's placeholder
        "my-production-secret-key-for-estapp-2026",
        "changeme-changeme-Changeme-changeme-1234",
    ],
)
def test_a_placeholder_production_key_is_refused_by_name(key):
    problems = messages(secret_key_problems(production(ESTAPP_SECRET_KEY=key)))
    assert len(problems) == 1
    assert problems[0].startswith("ESTAPP_SECRET_KEY ")
    assert "secrets.token_urlsafe" in problems[0]  # says how to make a good one


def test_outside_production_any_key_will_do(tmp_path):
    settings = load_settings({"ESTAPP_SECRET_KEY": "k" * 40, "ESTAPP_INSTANCE_DIR": str(tmp_path)})
    assert secret_key_problems(settings) == []


def test_production_needs_an_https_base_url():
    assert base_url_problems(production()) == []
    [problem] = messages(base_url_problems(production(ESTAPP_BASE_URL="http://est.example.se")))
    assert problem.startswith("ESTAPP_BASE_URL ") and "https" in problem


# --- mail settings --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"ESTAPP_SMTP_SECURITY": "ssl", "ESTAPP_SMTP_PORT": "587"}, "ESTAPP_SMTP_SECURITY=ssl"),
        ({"ESTAPP_SMTP_SECURITY": "ssl", "ESTAPP_SMTP_PORT": "25"}, "ESTAPP_SMTP_SECURITY=ssl"),
        (
            {"ESTAPP_SMTP_SECURITY": "starttls", "ESTAPP_SMTP_PORT": "465"},
            "ESTAPP_SMTP_SECURITY=starttls",
        ),
        (
            {"ESTAPP_SMTP_SECURITY": "starttls", "ESTAPP_SMTP_USER": "est"},
            "ESTAPP_SMTP_PASSWORD saknas",
        ),
        ({"ESTAPP_SMTP_PASSWORD": "hemligt"}, "ESTAPP_SMTP_USER saknas"),
        (
            {"ESTAPP_SMTP_USER": "est", "ESTAPP_SMTP_PASSWORD": "x"},
            "ESTAPP_SMTP_SECURITY=none skickar lösenordet okrypterat",
        ),
        ({"ESTAPP_MAIL_FROM": "est@"}, "ESTAPP_MAIL_FROM"),
    ],
)
def test_contradicting_mail_settings_are_named(changes, named):
    problems = messages(smtp_problems(production(**changes)))
    assert len(problems) == 1, problems
    assert problems[0].startswith(named)
    assert "hemligt" not in problems[0]


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"ESTAPP_SMTP_SECURITY": "ssl"},
        {"ESTAPP_SMTP_SECURITY": "starttls", "ESTAPP_SMTP_USER": "u", "ESTAPP_SMTP_PASSWORD": "p"},
        # A relay on this host needs no encryption for its login.
        {"ESTAPP_SMTP_HOST": "localhost", "ESTAPP_SMTP_USER": "u", "ESTAPP_SMTP_PASSWORD": "p"},
        {"ESTAPP_SMTP_SECURITY": "none", "ESTAPP_SMTP_PORT": "2525"},
        {"ESTAPP_MAIL_FROM": "EST Ekbacka <est@ekbacka.se>"},
    ],
)
def test_consistent_mail_settings_pass(changes):
    assert smtp_problems(production(**changes)) == []


# --- the settings themselves ----------------------------------------------------------------


def test_every_bad_setting_is_listed_and_the_first_is_the_message():
    with pytest.raises(ConfigError) as caught:
        production(
            ESTAPP_SECRET_KEY="kort",
            ESTAPP_SMTP_PORT="70000",
            ESTAPP_LOG_FORMAT="xml",
            ESTAPP_PROXY_COUNT="-1",
            ESTAPP_WEB_BIND="localhost",
        )
    problems = caught.value.problems
    assert [p.split()[0] for p in problems] == [
        "ESTAPP_SECRET_KEY",
        "ESTAPP_SMTP_PORT",
        "ESTAPP_LOG_FORMAT",
        "ESTAPP_PROXY_COUNT",
        "ESTAPP_WEB_BIND",
    ]
    assert str(caught.value) == problems[0]
    assert all("\n" not in problem for problem in problems)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ESTAPP_LOG_LEVEL", "verbose"),
        ("ESTAPP_PROXY_COUNT", "9"),
        ("ESTAPP_WEB_WORKERS", "0"),
        ("ESTAPP_WEB_TIMEOUT", "5"),
        ("ESTAPP_WEB_BIND", "127.0.0.1:http"),
        ("ESTAPP_WEB_BIND", "unix:relative.sock"),
    ],
)
def test_a_bad_server_or_log_setting_names_the_variable(variable, value):
    with pytest.raises(ConfigError) as caught:
        production(**{variable: value})
    assert str(caught.value).startswith(variable)


def test_server_and_log_settings_are_read():
    settings = production(
        ESTAPP_LOG_FORMAT="JSON",
        ESTAPP_LOG_LEVEL="warning",
        ESTAPP_PROXY_COUNT="2",
        ESTAPP_WEB_WORKERS="4",
        ESTAPP_WEB_BIND="unix:/run/estapp/web.sock",
        ESTAPP_WEB_TIMEOUT="120",
    )
    assert (settings.log_format, settings.log_level, settings.proxy_count) == ("json", "warning", 2)
    assert (settings.web_workers, settings.web_bind, settings.web_timeout) == (
        4,
        "unix:/run/estapp/web.sock",
        120,
    )
    assert production().log_format == "text" and production().proxy_count == 0


def test_processes_starting_together_share_one_development_key(tmp_path):
    """Workers and the scheduler may start at the same moment: one key, not one per process."""
    program = (
        "from estapp.config import load_settings;"
        f"print(load_settings({{'ESTAPP_INSTANCE_DIR': {str(tmp_path)!r}}}).secret_key)"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    keys = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert len(keys) == 1 and len(keys.pop()) >= 32
    assert [path.name for path in tmp_path.iterdir()] == ["secret_key"]  # no leftovers
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


# --- the example environment file -----------------------------------------------------------


def test_the_example_environment_documents_every_setting():
    read_by_the_app = set(
        re.findall(r'"(ESTAPP_[A-Z_]+)"', (REPO / "estapp/config.py").read_text())
    )
    example = read_example()
    assert read_by_the_app <= set(example), read_by_the_app - set(example)
    lines = EXAMPLE.read_text().splitlines()
    for number, line in enumerate(lines):
        if line.startswith("ESTAPP_"):
            assert lines[number - 1].startswith("#"), f"no comment above {line}"


def test_the_example_is_valid_except_for_its_placeholder_key():
    settings = load_settings(read_example())
    assert settings.is_production and settings.log_format == "json"
    assert settings.pdf_marking == "Får inte spridas utanför EST-gruppen"
    assert smtp_problems(settings) == [] and base_url_problems(settings) == []
    [problem] = messages(secret_key_problems(settings))
    assert problem.startswith("ESTAPP_SECRET_KEY")
