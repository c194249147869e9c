"""What a backup covers: every table of the models, in load order, and the schema revision."""

from __future__ import annotations

from typing import Any

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, Table

from estapp.backup.errors import BackupError
from estapp.db import Base
from estapp.migrate import alembic_config


def backup_tables() -> list[Table]:
    """Every table of the models, parents before the tables that refer to them."""
    import estapp.models  # noqa: F401  (registers every table, also ones added later)

    return list(Base.metadata.sorted_tables)


def deferred_columns(tables: list[Table]) -> dict[str, list[Column[Any]]]:
    """Per table, the nullable foreign keys to itself or to a table loaded after it.

    Such a column (an area's parent area, say) may point at a row that is not there yet, so it
    is loaded as NULL first and set once every row is in.
    """
    position = {table.name: index for index, table in enumerate(tables)}
    deferred: dict[str, list[Column[Any]]] = {}
    for index, table in enumerate(tables):
        for key in table.foreign_keys:
            column = key.parent
            if column.nullable and position[key.column.table.name] >= index:
                deferred.setdefault(table.name, [])
                if column not in deferred[table.name]:
                    deferred[table.name].append(column)
    return deferred


def code_revision() -> str:
    """The Alembic head of this version of estapp: the only schema it exports and restores."""
    heads = ScriptDirectory.from_config(alembic_config("")).get_heads()
    if len(heads) != 1:
        raise BackupError(f"migreringarna har {len(heads)} huvudversioner i stället för en")
    return heads[0]


def database_revision(connection: Connection) -> str | None:
    """The database's Alembic revision; None when it has never been migrated."""
    heads = MigrationContext.configure(connection).get_current_heads()
    if len(heads) > 1:
        raise BackupError(f"databasen har flera Alembic-versioner: {', '.join(sorted(heads))}")
    return heads[0] if heads else None
