"""How each column's values are written to an archive's JSON lines and read back, exactly.

A column's *kind* is decided from its SQL type once, written into the manifest, and checked
again on import, so a value always comes back as the type it left as: aware datetimes keep
their offset, times and dates their ISO form, bytes travel as base64, and a JSON column keeps
the difference between SQL NULL and a stored JSON ``null``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Enum, String, Table, null, type_coerce
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator, TypeEngine

from estapp.backup.errors import BackupError


class InvalidValue(ValueError):
    """A value in a table file does not fit its column's kind."""


_TYPE_NAMES = {int: "heltal", float: "decimaltal", bool: "sant/falskt", str: "text"}


def _expect(value: Any, *types: type) -> Any:
    # Exact types: JSON gives exactly these, and a bool must not pass for an integer.
    if type(value) not in types:
        expected = " eller ".join(_TYPE_NAMES[t] for t in types)
        raise InvalidValue(f"väntade {expected}, fick {value!r:.40}")
    return value


def _from_iso(parse: Callable[[str], Any]) -> Callable[[Any], Any]:
    def decode(value: Any) -> Any:
        try:
            return parse(_expect(value, str))
        except ValueError:
            raise InvalidValue(f"ogiltig tidsangivelse {value!r:.40}") from None

    return decode


def _decode_bytes(value: Any) -> bytes:
    try:
        return base64.b64decode(_expect(value, str), validate=True)
    except binascii.Error as error:
        raise InvalidValue(f"ogiltig base64: {error}") from None


def _decode_decimal(value: Any) -> Decimal:
    try:
        return Decimal(_expect(value, str))
    except InvalidOperation:
        raise InvalidValue(f"ogiltigt decimaltal {value!r:.40}") from None


def _decode_json(value: Any) -> Any:
    try:
        document = json.loads(_expect(value, str))
    except json.JSONDecodeError:
        raise InvalidValue(f"ogiltig JSON {value!r:.40}") from None
    # JSON.NULL stores the document ``null``; a plain None would be SQL NULL or 'null' by setting.
    return JSON.NULL if document is None else document


def _iso(value: Any) -> str:
    return value.isoformat()


def _same(value: Any) -> Any:
    return value


# kind -> (encode a non-null value, decode a non-null value); null is JSON null in both ways.
_CODECS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "integer": (_same, lambda value: _expect(value, int)),
    "boolean": (_same, lambda value: _expect(value, bool)),
    "float": (float, lambda value: float(_expect(value, int, float))),
    "decimal": (str, _decode_decimal),
    "string": (_same, lambda value: _expect(value, str)),
    "enum": (_same, lambda value: _expect(value, str)),
    "bytes": (lambda value: base64.b64encode(bytes(value)).decode("ascii"), _decode_bytes),
    "datetime": (_iso, _from_iso(dt.datetime.fromisoformat)),
    "date": (_iso, _from_iso(dt.date.fromisoformat)),
    "time": (_iso, _from_iso(dt.time.fromisoformat)),
    "json": (lambda value: json.dumps(value, ensure_ascii=False), _decode_json),
}

# Python type of a column (exactly, so a datetime is not a date) -> kind.
_KIND_BY_PYTHON_TYPE: Sequence[tuple[type, str]] = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "float"),
    (Decimal, "decimal"),
    (str, "string"),
    (bytes, "bytes"),
    (dt.datetime, "datetime"),
    (dt.date, "date"),
    (dt.time, "time"),
)


def _stored_type(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    """The type a TypeDecorator such as UTCDateTime stores its values as."""
    return _stored_type(type_.impl_instance) if isinstance(type_, TypeDecorator) else type_


def _python_type(type_: TypeEngine[Any]) -> type | None:
    try:
        python_type = type_.python_type
    except NotImplementedError:
        python_type = None
    if python_type in (None, object) and isinstance(type_, TypeDecorator):
        return _python_type(type_.impl_instance)  # UTCDateTime, say: its stored type tells
    return python_type


def column_kind(column: Column[Any]) -> str:
    """The archive kind of a column, or a refusal naming a column type we cannot keep."""
    if isinstance(column.type, Enum):
        return "enum"  # kept as the stored text, so its database value survives unchanged
    if isinstance(column.type, JSON):
        return "json"
    python_type = _python_type(column.type)
    for known, kind in _KIND_BY_PYTHON_TYPE:
        if python_type is known:
            return kind
    raise BackupError(
        f"kolumnen {column.table.name}.{column.name} har typen {column.type}, "
        "som säkerhetskopian inte kan spara"
    )


class ColumnCodec:
    """Reads one column for export and turns archive values back into insertable ones."""

    def __init__(self, column: Column[Any]) -> None:
        self.column = column
        self.name = column.name
        self.kind = column_kind(column)
        self._encode, self._decode = _CODECS[self.kind]
        stored = _stored_type(column.type)
        validated = isinstance(stored, Enum) and stored.validate_strings
        self._allowed = frozenset(stored.enums) if validated else None
        self._needs_zone = isinstance(stored, DateTime) and stored.timezone
        # A JSON column would store a plain None as the document null; null() is SQL NULL.
        self._null = null() if self.kind == "json" else None

    def selected(self) -> list[ColumnElement[Any]]:
        """What to select for this column, starting at the position given to :meth:`reader`."""
        if self.kind == "enum":
            return [type_coerce(self.column, String())]
        if self.kind == "json":
            # Both SQL NULL and the JSON document null read back as None; IS NULL tells them apart.
            return [self.column, self.column.is_(None)]
        return [self.column]

    def reader(self, at: int) -> Callable[[Sequence[Any]], Any]:
        """Reads this column's archive value from a selected row (built once per table)."""
        encode = self._encode
        if self.kind == "json":
            return lambda row: None if row[at + 1] else encode(row[at])
        if encode is _same:
            return itemgetter(at)
        return lambda row: None if (value := row[at]) is None else encode(value)

    def decode(self, value: Any) -> Any:
        if value is None:
            if not self.column.nullable:
                raise InvalidValue("tomt värde i en kolumn som kräver ett värde")
            return self._null
        decoded = self._decode(value)
        if self._allowed is not None and decoded not in self._allowed:
            raise InvalidValue(f"{decoded!r:.40} är inte ett av kolumnens värden")
        if self._needs_zone and decoded.tzinfo is None:
            raise InvalidValue(f"tidszon saknas i {value!r:.40}")
        return decoded


def table_codecs(table: Table) -> list[ColumnCodec]:
    return [ColumnCodec(column) for column in table.columns]


_JSON = json.JSONDecoder()


class RowDecoder:
    """Turns one table file line's JSON object into column values ready to insert."""

    def __init__(self, codecs: list[ColumnCodec]) -> None:
        self._names = frozenset(codec.name for codec in codecs)
        self._decoders = [(codec.name, codec.decode) for codec in codecs]

    def __call__(self, line: bytes) -> dict[str, Any]:
        try:
            document = _JSON.decode(line.decode())
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise InvalidValue("raden är inte JSON") from None
        if type(document) is not dict or document.keys() != self._names:
            raise InvalidValue("raden har inte tabellens kolumner")
        values = {}
        for name, decode in self._decoders:
            try:
                values[name] = decode(document[name])
            except InvalidValue as error:
                raise InvalidValue(f"kolumnen {name}: {error}") from None
        return values
