"""Throwaway databases for the benchmarks: a SQLite file in a temporary folder, and a PostgreSQL
database created for the run and dropped after it.

PostgreSQL is used when the server in ``ESTAPP_BENCH_DATABASE_URL`` answers (by default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``; the benchmarks connect there only to
create and drop their own databases). ``ESTAPP_BENCH_DATABASE_URL=none`` skips PostgreSQL, and
``BENCH_BACKENDS=postgresql`` (or ``sqlite``) runs one of the two.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, make_url
from sqlalchemy.exc import OperationalError

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Backend:
    name: str  # "SQLite" or "PostgreSQL"
    server_url: str | None = None  # PostgreSQL: where throwaway databases are created

    @property
    def is_postgresql(self) -> bool:
        return self.server_url is not None

    @contextmanager
    def fresh(self, purpose: str) -> Iterator[tuple[str, Path]]:
        """An empty database and a temporary folder (for the instance directory); both go away
        afterwards."""
        with tempfile.TemporaryDirectory(prefix=f"estapp-bench-{purpose}-") as folder:
            if self.server_url is None:
                yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}", Path(folder)
                return
            name = f"estapp_bench_{purpose}_{os.getpid()}"
            server = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
            try:
                with server.connect() as connection:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
                    connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
                url = make_url(self.server_url).set(database=name)
                yield url.render_as_string(hide_password=False), Path(folder)
            finally:
                with server.connect() as connection:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                server.dispose()


def _postgres_version(url: str) -> tuple[str | None, str | None]:
    """The server's version, or why it did not answer (one line)."""
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            return connection.exec_driver_sql("SHOW server_version").scalar_one(), None
    except OperationalError as error:
        return None, str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    finally:
        engine.dispose()


def chosen_backends() -> list[Backend]:
    """SQLite, then PostgreSQL if its server answers; prints why PostgreSQL is skipped."""
    text = os.environ.get("BENCH_BACKENDS", "").strip() or "sqlite,postgresql"
    wanted = {part.strip().lower() for part in text.split(",") if part.strip()}
    backends = [Backend("SQLite")] if "sqlite" in wanted else []
    server = os.environ.get("ESTAPP_BENCH_DATABASE_URL", DEFAULT_POSTGRES).strip()
    if "postgresql" in wanted:
        if server.lower() in ("", "none"):
            print("PostgreSQL hoppas över: ESTAPP_BENCH_DATABASE_URL=none.")
        else:
            version, problem = _postgres_version(server)
            if version is None:
                shown = make_url(server).render_as_string(hide_password=True)
                print(f"PostgreSQL hoppas över: {shown} svarar inte ({problem}).")
            else:
                print(f"PostgreSQL {version.split()[0]}; SQLite {sqlite3.sqlite_version}")
                backends.append(Backend("PostgreSQL", server))
    return backends
