"""SQLite (`make run`) under concurrent writers: each waits its turn, none fails.

A transaction that reads and then writes cannot take SQLite's write lock once another connection
has written since its read ("database is locked", at once). The engine therefore begins every
transaction outside a read-only request with BEGIN IMMEDIATE.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select

from estapp.db import make_engine


def test_concurrent_read_then_write_transactions_all_succeed(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'writers.sqlite3'}")
    table = Table("counter", MetaData(), Column("id", Integer, primary_key=True))
    table.metadata.create_all(engine)
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(10):
                with engine.begin() as connection:
                    connection.execute(select(func.count()).select_from(table)).scalar()
                    time.sleep(0.005)  # let the others write meanwhile
                    connection.execute(insert(table))
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures, failures[0]
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(table)).scalar() == 60
    engine.dispose()
