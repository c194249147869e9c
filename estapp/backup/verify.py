"""Check a whole archive before anything is written: format, revision, files, sums, values."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table

from estapp.backup.archive import ArchiveReader, Manifest, TableEntry
from estapp.backup.columns import InvalidValue, RowDecoder, table_codecs
from estapp.backup.errors import BackupError
from estapp.backup.schema import backup_tables, code_revision


@dataclass(frozen=True)
class VerifiedArchive:
    manifest: Manifest
    tables: list[Table]  # in load order
    entries: dict[str, TableEntry]


def checked_lines(reader: ArchiveReader, entry: TableEntry) -> Iterator[bytes]:
    """A table file's lines; once read to the end, a refusal unless sum and count match.

    The import reads every file twice, to check it and then to load it, and checks it both
    times: what is committed is exactly what was verified.
    """
    digest = hashlib.sha256()
    rows = 0
    for line in reader.lines(entry):
        digest.update(line)
        rows += 1
        yield line
    if digest.hexdigest() != entry.sha256:
        raise BackupError(
            f"{reader.where} är skadad: kontrollsumman för tabellen {entry.name} stämmer inte"
        )
    if rows != entry.rows:
        raise BackupError(
            f"{reader.where} är skadad: tabellen {entry.name} har {rows} rader, "
            f"manifestet anger {entry.rows}"
        )


def decoded_rows(
    reader: ArchiveReader, entry: TableEntry, table: Table
) -> Iterator[dict[str, Any]]:
    """The rows of a table file, decoded one at a time (the file is never held whole)."""
    decode = RowDecoder(table_codecs(table))
    for number, line in enumerate(checked_lines(reader, entry), start=1):
        try:
            yield decode(line)
        except InvalidValue as error:
            raise BackupError(
                f"{reader.where} är skadad: tabellen {entry.name}, rad {number}: {error}"
            ) from None


def _check_revision(manifest: Manifest) -> None:
    expected = code_revision()
    if manifest.alembic_revision != expected:
        raise BackupError(
            f"säkerhetskopian har databasversion {manifest.alembic_revision} (estapp "
            f"{manifest.app_version}), men den här versionen av estapp återställer bara "
            f"databasversion {expected}; återställ med samma version av estapp som gjorde kopian"
        )


def _table_list_problem(manifest: Manifest, tables: list[Table]) -> str | None:
    listed = [entry.name for entry in manifest.tables]
    names = [table.name for table in tables]
    for name in names:
        if name not in listed:
            return f"tabellen {name} saknas i manifestet"
    for name in listed:
        if name not in names:
            return f"manifestet har en okänd tabell, {name}"
    if len(listed) != len(set(listed)):
        return "manifestet har en tabell två gånger"
    return None


def _check_tables(reader: ArchiveReader, manifest: Manifest, tables: list[Table]) -> None:
    problem = _table_list_problem(manifest, tables)
    if problem is not None:
        raise BackupError(f"{reader.where} är skadad: {problem}")
    entries = {entry.name: entry for entry in manifest.tables}
    for table in tables:
        columns = tuple((codec.name, codec.kind) for codec in table_codecs(table))
        if entries[table.name].columns != columns:
            raise BackupError(
                f"{reader.where} är skadad: kolumnerna i tabellen {table.name} stämmer inte "
                f"med databasversion {manifest.alembic_revision}"
            )


def _check_table_file(reader: ArchiveReader, entry: TableEntry, table: Table) -> None:
    """Sum, count and decode every line; a bad sum is named before a bad value it explains."""
    decode = RowDecoder(table_codecs(table))
    problem = None
    for number, line in enumerate(checked_lines(reader, entry), start=1):
        if problem is None:
            try:
                decode(line)
            except InvalidValue as error:
                problem = f"rad {number}: {error}"
    if problem is not None:
        raise BackupError(f"{reader.where} är skadad: tabellen {entry.name}, {problem}")


def verify_archive(reader: ArchiveReader) -> VerifiedArchive:
    """The archive's manifest once every check has passed; otherwise a refusal."""
    manifest = reader.manifest()
    _check_revision(manifest)
    tables = backup_tables()
    _check_tables(reader, manifest, tables)
    entries = {entry.name: entry for entry in manifest.tables}
    for table in tables:
        _check_table_file(reader, entries[table.name], table)
    return VerifiedArchive(manifest, tables, entries)
