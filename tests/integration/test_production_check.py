"""`estapp check` against the test database and a real SMTP server, /healthz in-process, and
the scheduler's heartbeat job."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from estapp import create_app
from estapp.cli import cli
from estapp.db import utcnow
from estapp.models import OutboxMessage, Role, SchedulerHeartbeat, User
from estapp.ops.heartbeat import heartbeat_job, record_heartbeat
from estapp.scheduler import LeaderLock, build_scheduler
from tests.conftest import make_settings
from tests.integration.smtp_server import RecordingHandler, accept_login, free_port, smtp_server

SECRET = "Hv7-Lq2xRz9TbWm4NcYe1KsPd6GjUa3oFi8E"


def environment(database_url, tmp_path, **overrides):
    """A production environment for CliRunner: the given variables, every other ESTAPP_ unset."""
    environ = {key: None for key in os.environ if key.startswith("ESTAPP_")}
    environ.update(
        ESTAPP_ENV="production",
        ESTAPP_DATABASE_URL=database_url,
        ESTAPP_SECRET_KEY=SECRET,
        ESTAPP_BASE_URL="https://est.example.se",
        ESTAPP_SMTP_HOST="127.0.0.1",
        ESTAPP_MAIL_FROM="est@example.se",
        ESTAPP_INSTANCE_DIR=str(tmp_path),
    )
    environ.update(overrides)
    return environ


def check(environ, *arguments):
    return CliRunner().invoke(cli, ["check", *arguments], env=environ)


# --- estapp check -----------------------------------------------------------------------------


def test_a_sound_configuration_gets_one_ok_line(database_url, tmp_path, clean_db):
    result = check(environment(database_url, tmp_path))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Konfigurationen är i ordning: miljö production;")
    assert result.stdout.count("\n") == 1 and result.stderr == ""


def test_every_problem_gets_its_own_line_and_the_exit_says_fix_the_settings(database_url, tmp_path):
    environ = environment(
        database_url,
        tmp_path,
        ESTAPP_SECRET_KEY="byt-ut-mot-en-slumpad-nyckel-med-minst-32-tecken",
        ESTAPP_BASE_URL="http://est.example.se",
        ESTAPP_SMTP_SECURITY="ssl",
        ESTAPP_SMTP_PORT="587",
    )
    result = check(environ)
    assert result.exit_code == 78
    lines = result.stderr.splitlines()
    assert [line.split()[1] for line in lines] == [
        "ESTAPP_SECRET_KEY",
        "ESTAPP_BASE_URL",
        "ESTAPP_SMTP_SECURITY=ssl",
    ]
    assert all(line.startswith("Fel: ") for line in lines)
    assert result.stdout == ""


def test_settings_that_cannot_be_read_are_all_listed(database_url, tmp_path):
    environ = environment(
        database_url, tmp_path, ESTAPP_SECRET_KEY="", ESTAPP_SMTP_PORT="x", ESTAPP_MAIL_FROM=""
    )
    result = check(environ)
    assert result.exit_code == 78
    assert [line.split()[1] for line in result.stderr.splitlines()] == [
        "ESTAPP_SECRET_KEY",
        "ESTAPP_SMTP_PORT",
        "ESTAPP_MAIL_FROM",
    ]


def test_an_unmigrated_database_says_to_run_the_upgrade(tmp_path):
    empty = tmp_path / "tom.sqlite3"
    empty.touch()  # exists, but has no tables
    result = check(environment(f"sqlite:///{empty}", tmp_path))
    assert result.exit_code == 69  # the database is not ready yet; nothing to fix in settings
    assert result.stderr.strip() == (
        "Fel: ESTAPP_DATABASE_URL: databasen saknar estapps tabeller; kör estapp db upgrade"
    )


def test_an_unreachable_database_is_named_without_its_password(tmp_path):
    url = f"postgresql+psycopg://estapp:hemligt-lösen@127.0.0.1:{free_port()}/estapp"
    result = check(environment(url, tmp_path))
    assert result.exit_code == 69
    [line] = result.stderr.splitlines()
    assert line.startswith("Fel: ESTAPP_DATABASE_URL: databasen postgresql+psycopg://estapp:***@")
    assert "svarar inte" in line and "hemligt" not in line


def test_smtp_option_logs_in_to_the_mail_server_and_sends_nothing(database_url, tmp_path):
    handler = RecordingHandler()
    port = free_port()
    environ = environment(
        database_url,
        tmp_path,
        ESTAPP_SMTP_PORT=str(port),
        ESTAPP_SMTP_USER="est",
        ESTAPP_SMTP_PASSWORD="rätt-lösen",
        ESTAPP_SMTP_HOST="localhost",  # a local relay: a login without TLS is accepted
    )
    with smtp_server(
        handler, port, authenticator=accept_login("est", "rätt-lösen"), auth_require_tls=False
    ):
        accepted = check(environ, "--smtp")
        refused = check({**environ, "ESTAPP_SMTP_PASSWORD": "fel-lösen"}, "--smtp")
    assert accepted.exit_code == 0, accepted.output
    assert "servern svarar" in accepted.stdout
    assert refused.exit_code == 69
    [line] = refused.stderr.splitlines()
    assert line.startswith("Fel: ESTAPP_SMTP_HOST/ESTAPP_SMTP_PORT: Inloggningen på e-postservern")
    assert "fel-lösen" not in line
    assert handler.received == []


def test_smtp_option_names_a_server_that_does_not_answer(database_url, tmp_path):
    environ = environment(database_url, tmp_path, ESTAPP_SMTP_PORT=str(free_port()))
    result = check(environ, "--smtp")
    assert result.exit_code == 69
    assert "Kunde inte ansluta till e-postservern 127.0.0.1" in result.stderr


# --- /healthz -----------------------------------------------------------------------------------


def test_healthz_needs_no_login_and_names_the_missing_heartbeat(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["failing"] == ["scheduler"]
    assert response.json["checks"]["scheduler"] == {
        "status": "failing",
        "last_beat_seconds_ago": None,
        "limit_seconds": 180,
    }
    assert response.json["checks"]["database"] == {"status": "ok"}


def test_healthz_takes_a_heartbeat_of_three_minutes_as_recent(client, sessions):
    record_heartbeat(sessions, now=utcnow() - timedelta(minutes=2, seconds=50))
    assert client.get("/healthz").status_code == 200
    record_heartbeat(sessions, now=utcnow() - timedelta(minutes=3, seconds=10))
    assert client.get("/healthz").json["failing"] == ["scheduler"]


def test_healthz_without_a_database_says_so_and_leaves_the_rest_unknown(tmp_path, clean_db):
    settings = make_settings(f"sqlite:///{tmp_path / 'saknas' / 'db.sqlite3'}", tmp_path)
    app = create_app(settings)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {
        "status": "failing",
        "failing": ["database"],
        "checks": {
            "database": {"status": "failing"},
            "scheduler": {"status": "unknown"},
            "outbox": {"status": "unknown"},
        },
    }
    app.extensions["estapp.engine"].dispose()


def test_healthz_can_be_limited_to_the_hosts_own_trouble(client):
    # No heartbeat at all, but a load balancer asking only about the database gets 200.
    response = client.get("/healthz?check=database")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": {"status": "ok"}}
    both = client.get("/healthz?check=outbox,database")
    assert both.status_code == 200 and list(both.json["checks"]) == ["database", "outbox"]
    assert client.get("/healthz?check=database&check=scheduler").status_code == 503


def test_healthz_refuses_an_unknown_check_by_name(client):
    response = client.get("/healthz?check=disk")
    assert response.status_code == 400
    assert response.json == {
        "error": "unknown_check",
        "known_checks": ["database", "scheduler", "outbox"],
    }


def test_healthz_is_get_only(client):
    assert client.post("/healthz").status_code == 405


# --- the heartbeat ------------------------------------------------------------------------------


def test_the_heartbeat_is_one_row_moved_forward(sessions, settings, db):
    first = utcnow() - timedelta(minutes=5)
    heartbeat_job(sessions, settings, now=first)
    heartbeat_job(sessions, settings, now=first + timedelta(minutes=1))
    rows = db.scalars(select(SchedulerHeartbeat)).all()
    assert len(rows) == 1
    assert rows[0].beat_at == first + timedelta(minutes=1)
    assert rows[0].host.rsplit(":", 1)[1] == str(os.getpid())


def test_the_scheduler_beats_every_minute(engine, sessions, settings, app):
    scheduler = build_scheduler(sessions, settings, LeaderLock(engine), app=app)
    job = scheduler.get_job("heartbeat")
    assert job.func.__wrapped__ is heartbeat_job  # run inside the app's context
    assert job.trigger.interval == timedelta(minutes=1)


@pytest.mark.parametrize("header", ["lb-1f3a", "a" * 128])
def test_a_request_id_from_the_load_balancer_is_kept(client, header):
    assert client.get("/logga-in", headers={"X-Request-ID": header}).headers["X-Request-ID"] == (
        header
    )


@pytest.mark.parametrize("header", ["", "a" * 129, "anna@example.se", "två ord"])
def test_an_unusable_request_id_is_replaced(client, header):
    answered = client.get("/logga-in", headers={"X-Request-ID": header}).headers["X-Request-ID"]
    assert answered != header and len(answered) == 32


# --- the first administrator --------------------------------------------------------------------


def test_create_admin_invites_the_first_administrator(app, client, db):
    result = app.test_cli_runner().invoke(
        cli, ["create-admin", "--email", " IT@Ekbacka.se ", "--name", "Anna Admin"]
    )
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("http://localhost/konto/nytt-losenord/")
    admin = db.scalar(select(User).where(User.email == "it@ekbacka.se"))
    assert admin.role == Role.ADMIN and admin.name == "Anna Admin" and admin.password_hash is None
    assert db.scalar(select(OutboxMessage.recipient)) == "it@ekbacka.se"
    page = client.get(link.removeprefix("http://localhost"))
    assert page.status_code == 200 and "Anna Admin" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--email", "inte-en-adress", "--name", "Anna"], "Fel: --email: 'inte-en-adress'"),
        (["--email", "it@ekbacka.se", "--name", "  "], "Fel: --name: ange administratörens namn"),
    ],
)
def test_create_admin_refuses_bad_input_in_one_line(app, clean_db, arguments, message):
    result = app.test_cli_runner().invoke(cli, ["create-admin", *arguments])
    assert result.exit_code == 1
    assert result.output.strip().startswith(message) and result.output.count("\n") == 1


def test_create_admin_refuses_an_address_already_in_use(app, clean_db):
    runner = app.test_cli_runner()
    runner.invoke(cli, ["create-admin", "--email", "it@ekbacka.se", "--name", "Anna"])
    again = runner.invoke(cli, ["create-admin", "--email", "it@ekbacka.se", "--name", "Bo"])
    assert again.exit_code == 1
    assert again.output.strip() == (
        "Fel: Det finns redan en användare med e-postadressen it@ekbacka.se."
    )


# --- estapp db upgrade, as the migrate unit runs it ---------------------------------------------


def test_db_upgrade_names_a_database_that_does_not_answer(tmp_path):
    url = f"postgresql+psycopg://estapp:hemligt@127.0.0.1:{free_port()}/estapp"
    result = CliRunner().invoke(cli, ["db", "upgrade"], env=environment(url, tmp_path))
    assert result.exit_code == 69
    [line] = result.output.splitlines()
    assert line.startswith("Fel: ESTAPP_DATABASE_URL: databasen postgresql+psycopg://estapp:***@")
    assert "hemligt" not in line


def test_db_upgrade_refuses_an_unknown_revision_in_one_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'ny.sqlite3'}"
    result = CliRunner().invoke(
        cli, ["db", "upgrade", "--revision", "finns-inte"], env=environment(url, tmp_path)
    )
    assert result.exit_code == 1
    assert result.output.startswith("Fel: --revision: Can't locate revision")
    assert result.output.count("\n") == 1
