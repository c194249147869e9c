"""SQLite (`make run`) under concurrent writers: each waits its turn, none fails.

A transaction that reads and then writes cannot take SQLite's write lock once another connection
has written since its read ("database is locked", at once). The engine therefore begins the
transactions of a request that may write (POST) with BEGIN IMMEDIATE, and every other one with
the shared BEGIN.
"""

from __future__ import annotations

import threading
import time

from flask import Flask
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select

from estapp.db import make_engine


def counter(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'writers.sqlite3'}")
    table = Table("counter", MetaData(), Column("id", Integer, primary_key=True))
    table.metadata.create_all(engine)
    return engine, table


def test_concurrent_form_posts_that_read_then_write_all_succeed(tmp_path):
    engine, table = counter(tmp_path)
    app = Flask(__name__)
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(10):
                with app.test_request_context("/", method="POST"), engine.begin() as connection:
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


def test_a_reader_outside_a_request_does_not_hold_up_a_form_post(tmp_path):
    """The scheduler, a command or a test reading in a long transaction must not block a save."""
    engine, table = counter(tmp_path)
    with engine.connect() as reader:
        reader.begin()
        reader.execute(select(func.count()).select_from(table)).scalar()
        with Flask(__name__).test_request_context("/", method="POST"), engine.begin() as writer:
            started = time.monotonic()
            writer.execute(insert(table))
        assert time.monotonic() - started < 1  # not the 10 s busy timeout
        reader.rollback()
    engine.dispose()
