"""Shared by the backup tests: a second empty database, every table's rows, running the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from click.testing import Result
from flask import Flask
from sqlalchemy import JSON, Engine, inspect, select
from sqlalchemy.engine import make_url

import estapp.models  # noqa: F401  (every table on the metadata)
from estapp import create_app
from estapp.cli import cli
from estapp.db import Base
from tests.conftest import make_settings


def _recreate_postgres(url: str, name: str, *, create: bool) -> None:
    import psycopg
    from psycopg import sql

    maintenance = make_url(url).set(drivername="postgresql", database="postgres")
    with psycopg.connect(
        maintenance.render_as_string(hide_password=False), autocommit=True
    ) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if create:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@contextmanager
def empty_database(database_url: str, directory: Path, name: str) -> Iterator[str]:
    """A new database without tables, of the same kind as the test database; dropped after."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{directory / f'{name}.sqlite3'}"
        return
    database = f"{url.database}_{name}"
    _recreate_postgres(database_url, database, create=True)
    try:
        yield url.set(database=database).render_as_string(hide_password=False)
    finally:
        _recreate_postgres(database_url, database, create=False)


@contextmanager
def app_on(database_url: str, instance_dir: Path) -> Iterator[Flask]:
    """The app on another database (its engine disposed afterwards, before any drop)."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    app = create_app(make_settings(database_url, instance_dir))
    try:
        yield app
    finally:
        app.extensions["estapp.engine"].dispose()


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(cli, list(args))


def assert_refused(result: Result, *fragments: str) -> None:
    """A refusal as the user sees it: one Swedish line on stderr, no traceback, exit 1."""
    assert result.exit_code == 1, result.output
    line = result.stderr.strip()
    assert line.startswith("Fel: ") and "\n" not in line, result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in line, line


def table_names(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(inspect(connection).get_table_names())


def every_row(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table in primary-key order, as the app reads it.

    A JSON column also says whether it is SQL NULL, which reads back as None like a stored
    JSON ``null`` does.
    """
    rows = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            is_null = [c.is_(None) for c in table.columns if isinstance(c.type, JSON)]
            query = select(table, *is_null).order_by(*table.primary_key.columns)
            rows[table.name] = [tuple(row) for row in connection.execute(query)]
    return rows
