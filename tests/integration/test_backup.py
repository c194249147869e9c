"""``estapp export`` and ``estapp import``: every row of every table survives the round trip."""

from __future__ import annotations

import json
import stat
import zipfile
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from estapp.backup.archive import ArchiveWriter
from estapp.backup.schema import code_revision
from estapp.db import make_session_factory
from estapp.migrate import upgrade
from estapp.models import (
    Action,
    ActionReminder,
    ActionReminderKind,
    Area,
    AuditEvent,
    AuthSession,
    Commitment,
    CompileRun,
    LoginAttempt,
    Municipality,
    Observation,
    ObservationDraft,
    OutboxMessage,
    OutboxStatus,
    PasswordToken,
    Place,
    Reminder,
    ReminderKind,
    SchedulerHeartbeat,
    SituationPicture,
    User,
)
from tests.integration.backup_support import (
    app_on,
    assert_refused,
    empty_database,
    every_row,
    run,
)

PDF_BYTES = b"%PDF-1.7\n" + bytes(range(256)) * 64 + b"\n%%EOF"


def add_rows_the_demo_leaves_out(db) -> None:
    """A row in each table the demo leaves empty, and values that are easy to get wrong."""
    now = datetime.now(UTC)
    ekbacka = db.scalar(select(Municipality).where(Municipality.slug == "ekbacka"))
    coordinator = db.scalar(select(User).where(User.email == "samordnare@ekbacka.example"))
    observation = db.scalar(select(Observation).order_by(Observation.id).limit(1))
    picture = db.scalar(select(SituationPicture).order_by(SituationPicture.id).limit(1))
    action = db.scalar(select(Action).order_by(Action.id).limit(1))
    commitment = db.scalar(select(Commitment).order_by(Commitment.id).limit(1))

    # A sub-area created before its parent (so it points at a higher id), one whose polygon is
    # the JSON document null, and one with no polygon at all (SQL NULL).
    child = Area(municipality_id=ekbacka.id, name="Kvarteret Ugglan", geojson=None)
    db.add(child)
    db.flush()
    parent = Area(municipality_id=ekbacka.id, name="Södra stadsdelen")
    db.add(parent)
    db.flush()
    child.parent_id = parent.id
    db.add(Place(area_id=child.id, name="Gården", latitude=58.40123456789012, longitude=0.1 + 0.2))
    observation.exact_time = time(23, 59, 59, 999999)
    commitment.indicator_target = 1 / 3
    db.add_all(
        [
            LoginAttempt(email="okand@example.se", address="192.0.2.10", attempted_at=now),
            AuthSession(token_hash="a" * 64, user_id=coordinator.id, created_at=now),
            PasswordToken(
                token_hash="b" * 64, user_id=coordinator.id, expires_at=now + timedelta(days=2)
            ),
            CompileRun(
                municipality_id=picture.municipality_id,
                week_start=picture.week_start,
                scheduled_for=now.replace(microsecond=0),
                picture_id=picture.id,
            ),
            Reminder(
                municipality_id=ekbacka.id,
                organisation_id=observation.organisation_id,
                week_start=date(2026, 11, 16),
                kind=ReminderKind.FIRST,
                recipients=3,
            ),
            ActionReminder(action_id=action.id, kind=ActionReminderKind.OVERDUE, recipients=2),
            ObservationDraft(
                user_id=coordinator.id,
                report_id=observation.report_id,
                observation_id=observation.id,
                fields=json.dumps({"description": "Klotter på muren – ”citat”"}),
            ),
            OutboxMessage(
                municipality_id=ekbacka.id,
                document_key="lagesbild:test",
                recipient="extern@example.se",
                message_id="<lagesbild-test@estapp.example>",
                subject="Lägesbild vecka 47 – Ekbacka ✓",
                body_text="Hej!\n\nLägesbilden är bifogad.\n",
                attachment_filename="lagesbild.pdf",
                attachment_content_type="application/pdf",
                attachment_data=PDF_BYTES,
                status=OutboxStatus.FAILED,
                attempts=3,
                next_attempt_at=now,
                last_error="550 5.1.1 mailbox unavailable\nandra raden",
            ),
            SchedulerHeartbeat(name="scheduler", beat_at=now, host="est-app-01:4242"),
        ]
    )
    db.commit()


def test_export_then_import_restores_every_row_of_every_table(
    app, db, engine, database_url, tmp_path
):
    assert run(app, "seed", "demo").exit_code == 0
    add_rows_the_demo_leaves_out(db)
    source = every_row(engine)
    empty = [name for name, rows in source.items() if not rows]
    assert empty == [], f"give these tables rows, so that the round trip covers them: {empty}"
    polygons = db.execute(select(Area.geojson, Area.geojson.is_(None))).all()
    assert (None, True) in polygons and (None, False) in polygons  # SQL NULL and JSON null

    archive = tmp_path / "estapp-backup.zip"
    exported = run(app, "export", str(archive))
    assert exported.exit_code == 0, exported.output
    assert f"Exporterade {len(source)} tabeller med" in exported.output
    assert "0600" in exported.output
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with zipfile.ZipFile(archive) as contents:
        manifest = json.loads(contents.read("manifest.json"))
    assert manifest["format"] == "estapp-backup" and manifest["format_version"] == 1
    assert manifest["alembic_revision"] == code_revision()
    assert {entry["name"]: entry["rows"] for entry in manifest["tables"]} == {
        name: len(rows) for name, rows in source.items()
    }

    with (
        empty_database(database_url, tmp_path, "restored") as url,
        app_on(url, tmp_path / "restored") as restored_app,
    ):
        imported = run(restored_app, "import", str(archive))
        assert imported.exit_code == 0, imported.output
        assert f"Återställde {len(source)} tabeller med" in imported.output
        target = restored_app.extensions["estapp.engine"]
        restored = every_row(target)
        import_event = restored["audit_event"].pop()  # the import is logged after every row
        assert restored == source

        with make_session_factory(target).begin() as session:
            event = session.get(AuditEvent, import_event[0])
            assert event.action == "database_imported"
            assert event.details["rows"] == sum(len(rows) for rows in source.values())
            # New rows get fresh ids: on PostgreSQL the sequences continue after the restored ids.
            assert event.id == max(row[0] for row in source["audit_event"]) + 1
            nyby = Municipality(name="Nyby", slug="nyby")
            session.add(nyby)
            session.flush()
            assert nyby.id == max(row[0] for row in source["municipality"]) + 1
            stored = session.scalar(
                select(OutboxMessage.attachment_data).where(
                    OutboxMessage.document_key == "lagesbild:test"
                )
            )
            assert stored == PDF_BYTES


def test_import_into_a_migrated_empty_database(app, demo, engine, database_url, tmp_path):
    archive = tmp_path / "demo.zip"
    assert run(app, "export", str(archive)).exit_code == 0
    source = every_row(engine)
    source["audit_event"] = source["audit_event"][:-1]  # the export itself, logged after it
    with empty_database(database_url, tmp_path, "migrated") as url:
        upgrade(url)
        with app_on(url, tmp_path / "migrated") as restored_app:
            result = run(restored_app, "import", str(archive))
            assert result.exit_code == 0, result.output
            restored = every_row(restored_app.extensions["estapp.engine"])
    restored["audit_event"].pop()
    assert restored == source


def test_the_export_shows_in_the_audit_log(app, demo, login, tmp_path):
    archive = tmp_path / "logged.zip"
    assert run(app, "export", str(archive)).exit_code == 0
    page = login("admin@estapp.example").get("/admin/logg").get_data(as_text=True)
    rows = page.split("<tbody>", 1)[1]  # the filter above lists every action's name
    assert "<td>databasen exporterad till en säkerhetskopia</td>" in rows
    assert f"<li>fil: {archive.resolve()}</li>" in rows
    assert "systemet eller okänd" in rows  # run from the command line, by no user


def test_an_existing_file_is_kept_unless_forced(app, demo, tmp_path):
    archive = tmp_path / "old.zip"
    archive.write_bytes(b"an older archive")
    assert_refused(run(app, "export", str(archive)), "finns redan", "--force")
    assert archive.read_bytes() == b"an older archive"

    result = run(app, "export", "--force", str(archive))
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(archive)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600


def test_a_failed_export_leaves_no_half_archive(app, demo, tmp_path, monkeypatch):
    def disk_full(self, manifest):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ArchiveWriter, "finish", disk_full)
    folder = tmp_path / "backups"
    folder.mkdir()
    assert_refused(run(app, "export", str(folder / "new.zip")), "No space left on device")
    assert list(folder.iterdir()) == []

    kept = folder / "kept.zip"
    kept.write_bytes(b"yesterday's archive")
    assert_refused(run(app, "export", "--force", str(kept)))
    assert [path.name for path in folder.iterdir()] == ["kept.zip"]
    assert kept.read_bytes() == b"yesterday's archive"


@pytest.mark.parametrize("where", ["directory", "missing directory"])
def test_export_to_a_place_that_is_not_a_file_is_refused(app, demo, tmp_path, where):
    path = tmp_path if where == "directory" else tmp_path / "nej" / "estapp.zip"
    message = "är en katalog" if where == "directory" else "finns inte"
    assert_refused(run(app, "export", str(path)), message)


def test_export_refuses_a_database_on_an_older_schema(database_url, tmp_path):
    with empty_database(database_url, tmp_path, "older") as url:
        upgrade(url, "213ec480ac4f")  # the first migration only
        with app_on(url, tmp_path / "older") as older:
            result = run(older, "export", str(tmp_path / "older.zip"))
            assert_refused(result, "213ec480ac4f", code_revision(), "estapp db upgrade")
            assert not (tmp_path / "older.zip").exists()
