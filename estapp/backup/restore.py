"""``estapp import``: restore a verified archive into an empty database in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Column, Connection, Engine, Table, bindparam, insert, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from estapp import audit
from estapp.backup.archive import ArchiveReader
from estapp.backup.errors import BackupError, database_reason
from estapp.backup.schema import deferred_columns
from estapp.backup.target import (
    lock_tables,
    prepare_empty_target,
    refuse_if_filled,
    reset_sequences,
)
from estapp.backup.verify import VerifiedArchive, decoded_rows, verify_archive

BATCH_ROWS = 1000
T = TypeVar("T")


@dataclass(frozen=True)
class ImportSummary:
    path: Path
    tables: int
    rows: int
    revision: str
    exported_at: str


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _insert_rows(
    connection: Connection,
    reader: ArchiveReader,
    verified: VerifiedArchive,
    table: Table,
    later: list[Column[Any]],
) -> None:
    rows = decoded_rows(reader, verified.entries[table.name], table)
    held_back = {column.name: None for column in later}
    for batch in _batches(rows, BATCH_ROWS):
        connection.execute(insert(table), [{**row, **held_back} for row in batch])


def _set_held_back(
    connection: Connection,
    reader: ArchiveReader,
    verified: VerifiedArchive,
    table: Table,
    later: list[Column[Any]],
) -> None:
    """Fill in the references loaded as NULL, now that every row they point at exists."""
    keys = list(table.primary_key.columns)
    if not keys:
        raise BackupError(f"tabellen {table.name} saknar primärnyckel och kan inte återställas")
    statement = (
        update(table)
        .where(*(key == bindparam(f"key_{key.name}") for key in keys))
        .values({column.name: bindparam(f"value_{column.name}") for column in later})
    )
    rows = decoded_rows(reader, verified.entries[table.name], table)
    pending = (row for row in rows if any(row[column.name] is not None for column in later))
    for batch in _batches(pending, BATCH_ROWS):
        connection.execute(
            statement,
            [
                {
                    **{f"key_{key.name}": row[key.name] for key in keys},
                    **{f"value_{column.name}": row[column.name] for column in later},
                }
                for row in batch
            ],
        )


def _load(connection: Connection, reader: ArchiveReader, verified: VerifiedArchive) -> None:
    deferred = deferred_columns(verified.tables)
    for table in verified.tables:
        _insert_rows(connection, reader, verified, table, deferred.get(table.name, []))
    for table in verified.tables:
        if table.name in deferred:
            _set_held_back(connection, reader, verified, table, deferred[table.name])


def _record_import(session: Session, summary: ImportSummary, *, now: datetime) -> None:
    audit.record(
        session,
        None,
        "database_imported",
        "database",
        None,
        details={
            "file": str(summary.path.resolve()),
            "tables": summary.tables,
            "rows": summary.rows,
            "revision": summary.revision,
            "exported_at": summary.exported_at,
        },
        now=now,
    )


def import_archive(
    engine: Engine,
    sessions: sessionmaker[Session],
    database_url: str,
    path: Path,
    *,
    now: datetime,
) -> ImportSummary:
    """Verify the whole archive, then write all of it, or nothing, into the empty database."""
    with ArchiveReader(path) as reader:
        verified = verify_archive(reader)
        manifest = verified.manifest
        try:
            prepare_empty_target(engine, database_url, manifest.alembic_revision)
        except SQLAlchemyError as error:
            raise BackupError(f"databasen kan inte användas: {database_reason(error)}") from None
        summary = ImportSummary(
            path=path,
            tables=len(manifest.tables),
            rows=manifest.total_rows,
            revision=manifest.alembic_revision,
            exported_at=manifest.created_at,
        )
        try:
            with sessions() as session, session.begin():
                connection = session.connection()
                lock_tables(connection, verified.tables)
                refuse_if_filled(connection, verified.tables)  # a writer may have come first
                _load(connection, reader, verified)
                reset_sequences(connection)
                _record_import(session, summary, now=now)
        except SQLAlchemyError as error:
            raise BackupError(
                f"importen avbröts och ångrades, inga rader skrevs: {database_reason(error)}"
            ) from None
    return summary
