"""The reliability suite: load, faults and abuse, each test bounded in time.

Tests marked ``postgres_only`` (gunicorn workers and scheduler processes sharing one PostgreSQL
database) are deselected, not skipped, on the SQLite pass; on the PostgreSQL pass they run, and a
database that cannot be reached fails them like any other test.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

POSTGRES_ONLY = "postgres_only"
DEFAULT_TIME_LIMIT = 120  # seconds for one test, fixtures excluded


class TimeLimitExceeded(Exception):
    """A reliability test ran past its limit: a hang fails the test instead of the CI run."""


def on_postgres() -> bool:
    return (os.environ.get("ESTAPP_TEST_DATABASE_URL") or "").startswith("postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{POSTGRES_ONLY}: needs PostgreSQL (several processes on one database); "
        "deselected on the SQLite pass",
    )
    config.addinivalue_line(
        "markers", "time_limit(seconds): this test's limit instead of the suite's default"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if on_postgres():
        return
    deselected = [item for item in items if item.get_closest_marker(POSTGRES_ONLY)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker(POSTGRES_ONLY)]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail a test that runs longer than its limit (SIGALRM interrupts the main thread)."""
    marker = item.get_closest_marker("time_limit")
    limit = marker.args[0] if marker else DEFAULT_TIME_LIMIT

    def expire(signum: int, frame: object) -> None:
        raise TimeLimitExceeded(f"{item.nodeid} ran longer than {limit} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        return (yield)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
