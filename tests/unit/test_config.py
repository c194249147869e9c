"""Settings from ESTAPP_* variables: defaults, validation and production strictness."""

from __future__ import annotations

from datetime import timedelta

import pytest

from estapp.config import ConfigError, load_settings

PRODUCTION = {
    "ESTAPP_ENV": "production",
    "ESTAPP_DATABASE_URL": "postgresql+psycopg://estapp@db/estapp",
    "ESTAPP_SECRET_KEY": "k" * 40,
    "ESTAPP_BASE_URL": "https://est.example.se",
    "ESTAPP_SMTP_HOST": "smtp.example.se",
    "ESTAPP_MAIL_FROM": "est@example.se",
}


def test_development_defaults(tmp_path):
    settings = load_settings({"ESTAPP_INSTANCE_DIR": str(tmp_path)})
    assert settings.env == "development"
    assert settings.database_url == f"sqlite:///{tmp_path / 'estapp.sqlite3'}"
    assert settings.timezone == "Europe/Stockholm"
    assert settings.smtp_security == "none" and settings.smtp_port == 25
    assert settings.session_idle_timeout == timedelta(minutes=60)


def test_development_secret_is_generated_once_and_kept(tmp_path):
    first = load_settings({"ESTAPP_INSTANCE_DIR": str(tmp_path)}).secret_key
    second = load_settings({"ESTAPP_INSTANCE_DIR": str(tmp_path)}).secret_key
    assert first == second and len(first) >= 32


def test_production_accepts_a_complete_configuration():
    settings = load_settings({**PRODUCTION, "ESTAPP_SMTP_SECURITY": "starttls"})
    assert settings.is_production and settings.smtp_port == 587


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ESTAPP_SECRET_KEY", ""),
        ("ESTAPP_SECRET_KEY", "short"),
        ("ESTAPP_DATABASE_URL", ""),
        ("ESTAPP_DATABASE_URL", "mysql://x/y"),
        ("ESTAPP_BASE_URL", ""),
        ("ESTAPP_BASE_URL", "est.example.se"),
        ("ESTAPP_TIMEZONE", "Europe/Gothenburg"),
        ("ESTAPP_SMTP_SECURITY", "tls"),
        ("ESTAPP_SMTP_PORT", "tjugofem"),
        ("ESTAPP_SMTP_HOST", ""),
        ("ESTAPP_MAIL_FROM", "no-at-sign"),
        ("ESTAPP_ENV", "prod"),
    ],
)
def test_a_bad_production_value_names_the_variable(variable, value):
    with pytest.raises(ConfigError) as error:
        load_settings({**PRODUCTION, variable: value})
    assert variable in str(error.value)
    assert "\n" not in str(error.value)


def test_secret_key_is_not_shown_in_repr():
    settings = load_settings({**PRODUCTION, "ESTAPP_SMTP_PASSWORD": "hemligt"})
    assert "hemligt" not in repr(settings)
