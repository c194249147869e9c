"""The archive format: one zip file with ``manifest.json`` and one JSON-lines file per table.

``manifest.json`` names the format (``estapp-backup``) and its version, the Alembic revision of
the database, when and by which estapp version the archive was made, and per table its file,
its columns with their kinds (see :mod:`estapp.backup.columns`), its row count and the sha256 of
the file. Each line of a table file is one row as a JSON object, in primary-key order.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from estapp.backup.errors import BackupError

FORMAT_NAME = "estapp-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
MANIFEST_MAX_BYTES = 10 * 1024 * 1024  # far above any real manifest; refuses a zip bomb early
# What zipfile raises for a damaged member: bad CRC or deflate data, a cut-off file, or a
# member it cannot unpack at all (encrypted, unknown compression).
_UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
    ValueError,
)


def table_file_name(table_name: str) -> str:
    return f"tables/{table_name}.jsonl"


def encode_row(row: dict[str, Any]) -> bytes:
    return (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


@dataclass(frozen=True)
class TableEntry:
    name: str
    file: str
    rows: int
    sha256: str
    columns: tuple[tuple[str, str], ...]  # (column name, kind), in the table's order

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": self.file,
            "rows": self.rows,
            "sha256": self.sha256,
            "columns": [{"name": name, "kind": kind} for name, kind in self.columns],
        }


@dataclass(frozen=True)
class Manifest:
    alembic_revision: str
    created_at: str  # ISO 8601, UTC
    app_version: str
    source_database: str  # the dialect it was exported from, for the reader's information
    tables: tuple[TableEntry, ...]
    format_version: int = FORMAT_VERSION

    def to_bytes(self) -> bytes:
        document = {
            "format": FORMAT_NAME,
            "format_version": self.format_version,
            "alembic_revision": self.alembic_revision,
            "created_at": self.created_at,
            "app_version": self.app_version,
            "source_database": self.source_database,
            "tables": [entry.to_json() for entry in self.tables],
        }
        return json.dumps(document, ensure_ascii=False, indent=2).encode()

    @property
    def total_rows(self) -> int:
        return sum(entry.rows for entry in self.tables)


class _TableFileWriter:
    """Writes one table's rows to its archive member, counting and hashing as it goes."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._hash = hashlib.sha256()
        self.rows = 0

    def write(self, row: dict[str, Any]) -> None:
        line = encode_row(row)
        self._hash.update(line)
        self._stream.write(line)
        self.rows += 1

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


class ArchiveWriter:
    """Streams table files into a zip archive; the manifest goes in last."""

    def __init__(self, file: IO[bytes], *, created: datetime) -> None:
        self._zip = zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        self._stamp = created.timetuple()[:6]

    def _member(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._zip.close()

    @contextmanager
    def table(
        self, name: str, columns: tuple[tuple[str, str], ...], entries: list[TableEntry]
    ) -> Iterator[_TableFileWriter]:
        """Write one table's file; its manifest entry is appended to ``entries`` when done."""
        file = table_file_name(name)
        with self._zip.open(self._member(file), "w", force_zip64=True) as stream:
            writer = _TableFileWriter(stream)
            yield writer
        entries.append(TableEntry(name, file, writer.rows, writer.sha256, columns))

    def finish(self, manifest: Manifest) -> None:
        self._zip.writestr(self._member(MANIFEST_NAME), manifest.to_bytes())


# --- reading ----------------------------------------------------------------------------------


def _field(document: dict[str, Any], name: str, kind: type, where: str) -> Any:
    value = document.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BackupError(
            f"{where} har ett ofullständigt manifest: fältet {name!r} saknas eller är fel"
        )
    return value


def _parse_entry(document: Any, where: str) -> TableEntry:
    if not isinstance(document, dict):
        raise BackupError(f"{where} har ett ofullständigt manifest: en tabell är inte ett objekt")
    columns = _field(document, "columns", list, where)
    if not all(isinstance(column, dict) for column in columns):
        raise BackupError(f"{where} har ett ofullständigt manifest: fältet 'columns' är fel")
    return TableEntry(
        name=_field(document, "name", str, where),
        file=_field(document, "file", str, where),
        rows=_field(document, "rows", int, where),
        sha256=_field(document, "sha256", str, where),
        columns=tuple(
            (_field(column, "name", str, where), _field(column, "kind", str, where))
            for column in columns
        ),
    )


def parse_manifest(data: bytes, where: str) -> Manifest:
    """The manifest of an archive of our format and version, or a refusal saying what is wrong."""
    foreign = f"{where} är ingen säkerhetskopia från estapp"
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BackupError(f"{foreign} (manifest.json är inte JSON)") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise BackupError(f"{foreign} (manifestet anger inte formatet {FORMAT_NAME})")
    version = document.get("format_version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise BackupError(
            f"{where} har formatversion {version!r}; den här versionen av estapp läser "
            f"formatversion {FORMAT_VERSION}"
        )
    return Manifest(
        alembic_revision=_field(document, "alembic_revision", str, where),
        created_at=_field(document, "created_at", str, where),
        app_version=_field(document, "app_version", str, where),
        source_database=_field(document, "source_database", str, where),
        tables=tuple(
            _parse_entry(entry, where) for entry in _field(document, "tables", list, where)
        ),
    )


class ArchiveReader:
    """An archive opened for reading; every problem becomes a :class:`BackupError`."""

    def __init__(self, path: Path) -> None:
        self.where = str(path)
        if not path.exists():
            raise BackupError(f"filen {path} finns inte")
        if not path.is_file():
            raise BackupError(f"{path} är ingen fil")
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, EOFError, ValueError):
            raise BackupError(
                f"{path} kan inte läsas som ett zip-arkiv: filen är skadad eller ingen "
                "säkerhetskopia från estapp"
            ) from None
        except OSError as error:
            raise BackupError(f"kan inte läsa {path}: {error.strerror or error}") from None

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self._zip.close()

    def manifest(self) -> Manifest:
        try:
            info = self._zip.getinfo(MANIFEST_NAME)
        except KeyError:
            raise BackupError(
                f"{self.where} är ingen säkerhetskopia från estapp ({MANIFEST_NAME} saknas)"
            ) from None
        if info.file_size > MANIFEST_MAX_BYTES:
            raise BackupError(
                f"{self.where} är ingen säkerhetskopia från estapp (för stort manifest)"
            )
        return parse_manifest(self._read(MANIFEST_NAME), self.where)

    def _read(self, name: str) -> bytes:
        try:
            return self._zip.read(name)
        except _UNREADABLE as error:
            raise BackupError(f"{self.where} är skadad: {name} kan inte läsas ({error})") from None

    def lines(self, entry: TableEntry) -> Iterator[bytes]:
        """The table file's lines as bytes, read from the archive as they are needed."""
        try:
            self._zip.getinfo(entry.file)
        except KeyError:
            raise BackupError(
                f"{self.where} är skadad: filen {entry.file} saknas i arkivet"
            ) from None
        try:
            with self._zip.open(entry.file) as stream:
                yield from stream
        except _UNREADABLE as error:
            raise BackupError(
                f"{self.where} är skadad: {entry.file} kan inte läsas ({error})"
            ) from None
