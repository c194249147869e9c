"""``estapp export``: the whole database, read in one snapshot, streamed into one archive."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, Table, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from estapp import audit
from estapp.backup.archive import ArchiveWriter, Manifest, TableEntry
from estapp.backup.columns import table_codecs
from estapp.backup.errors import BackupError, database_reason
from estapp.backup.schema import backup_tables, code_revision, database_revision

BATCH_ROWS = 1000


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    tables: int
    rows: int
    size: int  # bytes
    revision: str


def app_version() -> str:
    try:
        return version("estapp")
    except PackageNotFoundError:
        return "okänd"


def _check_target(path: Path, *, force: bool) -> None:
    if path.is_dir():
        raise BackupError(f"{path} är en katalog; ange en fil, t.ex. {path / 'estapp.zip'}")
    if path.exists() and not force:
        raise BackupError(f"{path} finns redan; använd --force för att skriva över den")
    if not path.parent.is_dir():
        raise BackupError(f"katalogen {path.parent} finns inte")


@contextmanager
def _replace_when_done(path: Path) -> Iterator[IO[bytes]]:
    """A private temporary file beside ``path`` that becomes ``path`` only once complete.

    ``mkstemp`` creates it readable by its owner only (0600), and the rename keeps that, so the
    archive is never readable by others, not even while it is written. A failed export removes
    the temporary file and leaves an existing ``path`` as it was.
    """
    try:
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
    except OSError as error:
        raise BackupError(f"kan inte skriva i {path.parent}: {error.strerror or error}") from None
    try:
        with os.fdopen(descriptor, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction, so every table is read as of the same moment."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with connection.begin():
            yield connection


def _write_table(
    connection: Connection, table: Table, archive: ArchiveWriter, entries: list[TableEntry]
) -> None:
    codecs = table_codecs(table)
    readers = []
    selected = []
    for codec in codecs:
        readers.append((codec.name, codec.reader(len(selected))))
        selected.extend(codec.selected())
    order = list(table.primary_key.columns) or list(table.columns)
    result = connection.execution_options(yield_per=BATCH_ROWS).execute(
        select(*selected).order_by(*order)
    )
    with archive.table(table.name, tuple((c.name, c.kind) for c in codecs), entries) as file:
        for row in result:
            file.write({name: read(row) for name, read in readers})


def _checked_revision(connection: Connection) -> str:
    revision = database_revision(connection)
    if revision is None:
        raise BackupError("databasen har inget schema; det finns inget att exportera")
    expected = code_revision()
    if revision != expected:
        raise BackupError(
            f"databasen har versionen {revision}, men den här versionen av estapp "
            f"väntar sig {expected}; kör estapp db upgrade först"
        )
    return revision


def export_database(engine: Engine, path: Path, *, force: bool, now: datetime) -> ExportSummary:
    """Write every table of the database to a new archive at ``path``."""
    _check_target(path, force=force)
    entries: list[TableEntry] = []
    try:
        with _snapshot(engine) as connection:
            manifest = Manifest(
                alembic_revision=_checked_revision(connection),
                created_at=now.isoformat(),
                app_version=app_version(),
                source_database=engine.dialect.name,
                tables=(),
            )
            with _replace_when_done(path) as file, ArchiveWriter(file, created=now) as archive:
                for table in backup_tables():
                    _write_table(connection, table, archive, entries)
                manifest = replace(manifest, tables=tuple(entries))
                archive.finish(manifest)
    except OSError as error:
        raise BackupError(f"kan inte skriva {path}: {error.strerror or error}") from None
    except SQLAlchemyError as error:
        raise BackupError(f"kan inte läsa databasen: {database_reason(error)}") from None
    return ExportSummary(
        path=path,
        tables=len(manifest.tables),
        rows=manifest.total_rows,
        size=path.stat().st_size,
        revision=manifest.alembic_revision,
    )


def record_export(session: Session, summary: ExportSummary, *, now: datetime) -> None:
    """Audit the export (by the command line, so without a user) in the caller's transaction."""
    audit.record(
        session,
        None,
        "database_exported",
        "database",
        None,
        details={
            "file": str(summary.path.resolve()),
            "tables": summary.tables,
            "rows": summary.rows,
            "revision": summary.revision,
        },
        now=now,
    )
