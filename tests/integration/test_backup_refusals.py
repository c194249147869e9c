"""``estapp import`` refuses damaged or foreign archives and non-empty databases, unchanged."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from estapp.backup.archive import ArchiveReader
from estapp.backup.schema import code_revision
from estapp.db import make_session_factory
from estapp.migrate import upgrade
from estapp.models import Municipality
from tests.integration.backup_support import (
    app_on,
    assert_refused,
    empty_database,
    every_row,
    run,
    table_names,
)


@pytest.fixture
def archive(app, demo, tmp_path) -> Path:
    """A good archive of the demo database."""
    path = tmp_path / "demo.zip"
    result = run(app, "export", str(path))
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def target(database_url, tmp_path):
    """The app on a second, empty database: no tables at all."""
    with (
        empty_database(database_url, tmp_path, "target") as url,
        app_on(url, tmp_path / "target") as target_app,
    ):
        yield target_app


def rewritten(
    source: Path,
    *,
    members: dict[str, bytes | None] | None = None,
    manifest: Callable[[dict], None] | None = None,
    resum: bool = False,
) -> Path:
    """A copy of the archive with members replaced (None drops one) and the manifest edited.

    With ``resum`` the manifest's checksums and row counts are made to match the new members,
    as someone forging an archive would.
    """
    members = members or {}
    target = source.with_name(f"changed-{source.name}")
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        document = json.loads(old.read("manifest.json"))
        entries = {entry["file"]: entry for entry in document["tables"]}
        for name in old.namelist():
            if name == "manifest.json":
                continue
            data = members[name] if name in members else old.read(name)
            if data is None:
                continue
            new.writestr(name, data)
            if resum:
                entries[name]["sha256"] = hashlib.sha256(data).hexdigest()
                entries[name]["rows"] = data.count(b"\n")
        if manifest is not None:
            manifest(document)
        new.writestr("manifest.json", json.dumps(document))
    return target


def _lines(archive: Path, name: str) -> list[dict]:
    with zipfile.ZipFile(archive) as contents:
        return [json.loads(line) for line in contents.read(name).splitlines()]


def _jsonl(rows: list[dict]) -> bytes:
    return b"".join(json.dumps(row).encode() + b"\n" for row in rows)


def _entry(document: dict, table: str) -> dict:
    return next(entry for entry in document["tables"] if entry["name"] == table)


def truncated(archive: Path) -> Path:
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    return archive


def flipped_bytes(archive: Path) -> Path:
    """Bytes changed inside a compressed table file, as a bad disk or transfer would."""
    with zipfile.ZipFile(archive) as contents:
        info = contents.getinfo("tables/user_account.jsonl")
    data = bytearray(archive.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    data[middle : middle + 8] = bytes(255 - byte for byte in data[middle : middle + 8])
    archive.write_bytes(bytes(data))
    return archive


def altered_row(archive: Path) -> Path:
    name = "tables/user_account.jsonl"
    rows = _lines(archive, name)
    rows[0]["name"] = "Någon annan"
    return rewritten(archive, members={name: _jsonl(rows)})


def one_row_too_many(archive: Path) -> Path:
    return rewritten(archive, manifest=lambda doc: _entry(doc, "user_account").update(rows=99))


def missing_table_file(archive: Path) -> Path:
    return rewritten(archive, members={"tables/municipality.jsonl": None})


def other_format(archive: Path) -> Path:
    return rewritten(archive, manifest=lambda doc: doc.update(format="other-backup"))


def newer_format_version(archive: Path) -> Path:
    return rewritten(archive, manifest=lambda doc: doc.update(format_version=2))


def other_revision(archive: Path) -> Path:
    return rewritten(archive, manifest=lambda doc: doc.update(alembic_revision="0123456789ab"))


def forged_bad_value(archive: Path) -> Path:
    """A row with a date that is no date, in an archive whose checksums were made to match."""
    name = "tables/user_account.jsonl"
    rows = _lines(archive, name)
    rows[0]["created_at"] = "igår"
    return rewritten(archive, members={name: _jsonl(rows)}, resum=True)


def foreign_zip(archive: Path) -> Path:
    path = archive.with_name("photos.zip")
    with zipfile.ZipFile(path, "w") as contents:
        contents.writestr("IMG_0001.txt", "not a backup")
    return path


def text_file(archive: Path) -> Path:
    path = archive.with_name("notes.txt")
    path.write_text("Mötesanteckningar\n", encoding="utf-8")
    return path


def manifest_not_json(archive: Path) -> Path:
    path = archive.with_name("broken-manifest.zip")
    with zipfile.ZipFile(path, "w") as contents:
        contents.writestr("manifest.json", "{format: estapp-backup")
    return path


DAMAGE = {
    "truncated": (truncated, ["kan inte läsas som ett zip-arkiv"]),
    "bytes flipped": (flipped_bytes, ["är skadad", "tables/user_account.jsonl"]),
    "row altered": (altered_row, ["kontrollsumman för tabellen user_account stämmer inte"]),
    "row count": (one_row_too_many, ["tabellen user_account har", "manifestet anger 99"]),
    "file missing": (missing_table_file, ["tables/municipality.jsonl saknas"]),
    "other format": (other_format, ["ingen säkerhetskopia från estapp"]),
    "newer format version": (newer_format_version, ["formatversion 2", "formatversion 1"]),
    "other revision": (other_revision, ["0123456789ab", code_revision()]),
    "forged bad value": (forged_bad_value, ["tabellen user_account, rad 1", "created_at"]),
    "foreign zip": (foreign_zip, ["ingen säkerhetskopia från estapp", "manifest.json saknas"]),
    "text file": (text_file, ["kan inte läsas som ett zip-arkiv"]),
    "manifest not JSON": (manifest_not_json, ["ingen säkerhetskopia från estapp"]),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_or_foreign_archive_is_refused_before_anything_is_written(
    archive, target, damage
):
    spoil, fragments = DAMAGE[damage]
    assert_refused(run(target, "import", str(spoil(archive))), *fragments)
    assert table_names(target.extensions["estapp.engine"]) == []  # not even the schema


def test_a_missing_file_is_refused(target, tmp_path):
    assert_refused(run(target, "import", str(tmp_path / "saknas.zip")), "saknas.zip finns inte")


def test_a_database_with_data_is_refused_and_left_as_it_was(app, archive, engine):
    before = every_row(engine)
    assert_refused(run(app, "import", str(archive)), "databasen är inte tom")
    assert every_row(engine) == before


def test_a_migrated_database_with_one_row_is_refused(archive, database_url, tmp_path):
    with empty_database(database_url, tmp_path, "one_row") as url:
        upgrade(url)
        with app_on(url, tmp_path / "one_row") as target_app:
            engine = target_app.extensions["estapp.engine"]
            with make_session_factory(engine).begin() as session:
                session.add(Municipality(name="Nyby", slug="nyby"))
            before = every_row(engine)
            result = run(target_app, "import", str(archive))
            assert_refused(result, "databasen är inte tom", "tabellen municipality")
            assert every_row(engine) == before


def test_a_database_of_another_application_is_refused(archive, target):
    engine = target.extensions["estapp.engine"]
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
    assert_refused(run(target, "import", str(archive)), "inte en estapp-databas")
    assert table_names(engine) == ["invoices"]


def test_rows_the_database_rejects_are_all_rolled_back(archive, target):
    """A forged archive that passes every check but breaks a foreign key: nothing is kept."""
    name = "tables/place.jsonl"
    rows = _lines(archive, name)
    rows[-1]["area_id"] = 999999
    forged = rewritten(archive, members={name: _jsonl(rows)}, resum=True)
    assert_refused(run(target, "import", str(forged)), "importen avbröts och ångrades")
    engine = target.extensions["estapp.engine"]
    assert all(rows == [] for rows in every_row(engine).values())


def test_an_archive_that_changes_while_it_is_imported_is_rolled_back(archive, target, monkeypatch):
    """What is committed is what was checked: the load pass checks the sums again."""
    reads: Counter[str] = Counter()
    read_lines = ArchiveReader.lines

    def lines_changed_after_the_check(self, entry):
        reads[entry.name] += 1
        for line in read_lines(self, entry):
            yield line.replace(b"Alva Admin", b"Eve Admin") if reads[entry.name] > 1 else line

    monkeypatch.setattr(ArchiveReader, "lines", lines_changed_after_the_check)
    result = run(target, "import", str(archive))
    assert_refused(result, "kontrollsumman för tabellen user_account stämmer inte")
    assert reads["user_account"] == 2
    assert all(rows == [] for rows in every_row(target.extensions["estapp.engine"]).values())


def test_the_console_script_refuses_in_one_line_without_traceback(database_url, tmp_path):
    notes = text_file(tmp_path / "x.zip")
    with empty_database(database_url, tmp_path, "script") as url:
        result = subprocess.run(
            [sys.executable, "-m", "estapp.cli", "import", str(notes)],
            env={
                "PATH": "/usr/bin:/bin",
                "ESTAPP_ENV": "test",
                "ESTAPP_DATABASE_URL": url,
                "ESTAPP_SECRET_KEY": "s" * 40,
                "ESTAPP_INSTANCE_DIR": str(tmp_path),
            },
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 1
    assert result.stderr.startswith("Fel: ") and result.stderr.count("\n") == 1, result.stderr
    assert "kan inte läsas som ett zip-arkiv" in result.stderr
