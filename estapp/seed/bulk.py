"""Write many rows at once: COPY on PostgreSQL, batched executemany of a Core insert elsewhere.

Used by the synthetic data set, where a million observations one ORM object at a time would take
hours. The rows are tuples in the order of ``columns``; values are what the column types take
(dates, aware UTC datetimes, enum values as their strings).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert

BATCH_SIZE = 5000


def _copy(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple]
) -> int:
    names = ", ".join(f'"{name}"' for name in columns)
    raw = connection.connection.driver_connection
    written = 0
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def _executemany(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple]
) -> int:
    statement = insert(table)
    batch: list[dict[str, Any]] = []
    written = 0
    for row in rows:
        batch.append(dict(zip(columns, row, strict=True)))
        if len(batch) >= BATCH_SIZE:
            connection.execute(statement, batch)
            written += len(batch)
            batch = []
    if batch:
        connection.execute(statement, batch)
        written += len(batch)
    return written


def insert_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple]
) -> int:
    """Insert the rows inside the connection's transaction; return how many were written."""
    if connection.dialect.name == "postgresql":
        return _copy(connection, table, columns, rows)
    return _executemany(connection, table, columns, rows)


def refresh_statistics(connection: Connection, tables: Sequence[str]) -> None:
    """Let the query planner see the new rows (and, on PostgreSQL, mark the pages all-visible so
    aggregates can be answered from an index alone). Needs a connection outside a transaction
    on PostgreSQL, since VACUUM cannot run inside one."""
    for name in tables:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f'VACUUM (ANALYZE) "{name}"')
        else:
            connection.exec_driver_sql(f'ANALYZE "{name}"')
