"""The estapp command: schema, demo data and clear errors."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import func, select

from estapp.cli import cli
from estapp.models import Category, DistributionRecipient, Municipality, Organisation, Role, User


def test_seed_demo_creates_the_documented_setup(app, db):
    result = app.test_cli_runner().invoke(cli, ["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "samordnare@ekbacka.example" in result.output
    kommuner = db.scalars(select(Municipality).order_by(Municipality.slug)).all()
    assert [k.slug for k in kommuner] == ["ekbacka", "sjovik"]
    assert 6 <= db.scalar(select(func.count()).select_from(Organisation)) <= 8
    for kommun in kommuner:
        names = {c.name for c in kommun.categories}
        assert "Skadegörelse" in names and "Öppen droghantering" in names
        assert len(kommun.areas) >= 3
        assert all(area.places for area in kommun.areas)
    roles = {u.role for u in db.scalars(select(User))}
    assert roles == set(Role)
    police = db.scalar(select(Organisation).where(Organisation.kind == "polis"))
    assert len(police.municipalities) == 2  # one police area serves both kommuner
    # Each kommun has a distribution list, so publishing in the demo sends mail.
    listed = db.execute(
        select(Municipality.slug, func.count())
        .join(DistributionRecipient, DistributionRecipient.municipality_id == Municipality.id)
        .group_by(Municipality.slug)
        .order_by(Municipality.slug)
    ).all()
    assert listed == [("ekbacka", 5), ("sjovik", 3)]


def test_seed_demo_if_empty_does_not_duplicate(app, db):
    runner = app.test_cli_runner()
    runner.invoke(cli, ["seed", "demo"])
    result = runner.invoke(cli, ["seed", "demo", "--if-empty"])
    assert result.exit_code == 0
    assert "redan data" in result.output
    assert db.scalar(select(func.count()).select_from(Category)) == 22


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ESTAPP_ENV": "production"}, "ESTAPP_DATABASE_URL saknas"),
        ({"ESTAPP_ENV": "staging"}, "ESTAPP_ENV måste vara"),
    ],
)
def test_bad_configuration_gives_one_line_and_no_traceback(env, message, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "estapp.cli", "seed", "demo"],
        env={"PATH": "/usr/bin:/bin", "ESTAPP_INSTANCE_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_demo_is_refused_in_production(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "ESTAPP_ENV": "production",
        "ESTAPP_DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
        "ESTAPP_SECRET_KEY": "p" * 40,
        "ESTAPP_BASE_URL": "https://est.example.se",
        "ESTAPP_SMTP_HOST": "smtp.example.se",
        "ESTAPP_MAIL_FROM": "est@example.se",
    }
    result = subprocess.run(
        [sys.executable, "-m", "estapp.cli", "seed", "demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "aldrig i produktion" in result.stderr
