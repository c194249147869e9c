"""Fixtures of the integration tests that talk to a real SMTP server on loopback."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import sessionmaker

from estapp.db import make_session_factory
from tests.integration.smtp_server import RecordingHandler, free_port, smtp_server


@pytest.fixture
def port() -> int:
    """A free loopback port for the test's SMTP server (nothing listens until ``server``)."""
    return free_port()


@pytest.fixture
def handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
def server(handler, port):
    with smtp_server(handler, port) as controller:
        yield controller


@pytest.fixture
def sessions(engine, clean_db) -> sessionmaker:
    """Sessions on the test database, as the scheduler's jobs get them."""
    return make_session_factory(engine)
