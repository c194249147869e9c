"""The database an archive is restored into: empty, at the archive's schema, sequences after."""

from __future__ import annotations

from alembic.util import CommandError as AlembicCommandError
from sqlalchemy import Connection, Engine, Integer, Table, exists, func, inspect, select, text

from estapp.backup.errors import BackupError
from estapp.backup.schema import backup_tables, database_revision
from estapp.migrate import upgrade

ALEMBIC_TABLE = "alembic_version"


def first_filled_table(connection: Connection, tables: list[Table]) -> str | None:
    """The name of the first of ``tables`` that has a row, or None when all are empty."""
    for table in tables:
        if connection.scalar(select(exists().select_from(table))):
            return table.name
    return None


def refuse_if_filled(connection: Connection, tables: list[Table]) -> None:
    filled = first_filled_table(connection, tables)
    if filled is not None:
        raise BackupError(
            f"databasen är inte tom (tabellen {filled} har rader); en säkerhetskopia "
            "återställs bara till en tom databas"
        )


def prepare_empty_target(engine: Engine, database_url: str, revision: str) -> None:
    """Refuse a database with data or a foreign schema; migrate an empty one to ``revision``.

    Empty means no tables at all, or an estapp schema without a row in any of its tables.
    """
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        current = database_revision(connection)
        if current is None and present - {ALEMBIC_TABLE}:
            raise BackupError(
                "databasen har tabeller men är inte en estapp-databas (ingen Alembic-version); "
                "använd en tom databas"
            )
        refuse_if_filled(connection, [t for t in backup_tables() if t.name in present])
        connection.rollback()
    if current == revision:
        return
    try:
        upgrade(database_url, revision)
    except AlembicCommandError as error:
        raise BackupError(
            f"databasen har versionen {current}, som inte kan uppgraderas till {revision} ({error})"
        ) from None


def lock_tables(connection: Connection, tables: list[Table]) -> None:
    """On PostgreSQL, keep every other writer out until the import has committed."""
    if connection.dialect.name != "postgresql":
        return  # SQLite has one writer at a time anyway
    names = ", ".join(connection.dialect.identifier_preparer.format_table(t) for t in tables)
    connection.execute(text(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE"))


def reset_sequences(connection: Connection) -> None:
    """On PostgreSQL, make every id sequence continue after the highest restored id."""
    if connection.dialect.name != "postgresql":
        return  # SQLite takes the next rowid from the table itself
    preparer = connection.dialect.identifier_preparer
    for table in backup_tables():
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            sequence = connection.scalar(
                select(func.pg_get_serial_sequence(preparer.format_table(table), column.name))
            )
            if sequence is not None:
                highest = connection.scalar(select(func.max(column)))
                # is_called=false: the next id handed out is exactly this value.
                connection.execute(select(func.setval(sequence, (highest or 0) + 1, False)))
