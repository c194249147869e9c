"""The mail server goes away and comes back: every queued mail arrives exactly once.

The scheduler sends the outbox every minute; here a simulated clock ticks a minute at a time
and two senders run each tick at once, as two scheduler processes would after a failover.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from estapp.db import make_session_factory
from estapp.distribution.outbox import Attachment, queue_message, send_due
from estapp.models import Municipality, OutboxMessage, OutboxStatus
from tests.conftest import make_settings
from tests.integration.smtp_server import RecordingHandler, free_port, smtp_server

START = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
MAILS = 40
DOWN_MINUTES = 45  # nothing listens on the port
REFUSED_DATA = 15  # then the server is back but answers 421 to the first transfers
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n"
REAL_TIME_LIMIT = 60  # seconds for the whole outage and recovery


@dataclass
class FlappingHandler(RecordingHandler):
    """A server just restarted: it refuses the first transfers with 421, then accepts."""

    refusals_left: int = REFUSED_DATA

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refusals_left > 0:
            self.refusals_left -= 1
            return "421 4.3.2 Service not available, try again later"
        return await super().handle_DATA(server, session, envelope)


def statuses(sessions) -> Counter:
    with sessions() as session:
        rows = session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    return Counter({status: count for status, count in rows})


def tick(sessions, settings, now: datetime) -> None:
    """One minute of the scheduler: two senders at once."""
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            send_due(sessions, settings, now=now, limit=MAILS)
        except BaseException as error:  # a sender must never raise; the test says so
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive(), "a sender hung"
    assert not errors, errors


@pytest.mark.time_limit(90)
def test_every_mail_queued_while_the_server_was_down_arrives_exactly_once(
    database_url, tmp_path, engine, clean_db
):
    port = free_port()
    settings = make_settings(
        database_url,
        tmp_path,
        ESTAPP_SMTP_HOST="127.0.0.1",
        ESTAPP_SMTP_PORT=str(port),
        ESTAPP_MAIL_FROM="EST Ekbacka <est@ekbacka.example>",
    )
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        kommun = Municipality(name="Ekbacka", slug="ekbacka")
        session.add(kommun)
        session.flush()
        expected = {
            queue_message(
                session,
                document_key=f"lagesbild:ekbacka:2026-W47:v{number % 4 + 1}",
                recipient=f"mottagare{number}@partner.example",
                subject=f"Lägesbild vecka 47, Ekbacka ({number})",
                text="Hej!\n\nHär är veckans lägesbild.\n",
                attachment=Attachment("lagesbild.pdf", "application/pdf", PDF),
                settings=settings,
                municipality=kommun,
                now=START,
            ).message_id
            for number in range(MAILS)
        }
    assert len(expected) == MAILS
    handler = FlappingHandler()
    deadline = time.monotonic() + REAL_TIME_LIMIT

    now = START
    while now < START + timedelta(minutes=DOWN_MINUTES):  # the server is down
        tick(sessions, settings, now)
        now += timedelta(minutes=1)
    assert handler.received == []
    down = statuses(sessions)
    assert down == {OutboxStatus.QUEUED: MAILS}, down  # waiting, none given up
    with sessions() as session:
        attempts = session.scalar(select(func.min(OutboxMessage.attempts)))
    assert attempts >= 4  # tried at 0, 1, 6 and 21 minutes (then hourly), never given up

    with smtp_server(handler, port):
        while statuses(sessions).get(OutboxStatus.SENT, 0) < MAILS:
            assert time.monotonic() < deadline, f"not delivered in time: {statuses(sessions)}"
            assert now < START + timedelta(hours=6), f"still waiting: {statuses(sessions)}"
            tick(sessions, settings, now)
            now += timedelta(minutes=1)

    arrived = Counter(item.message["Message-ID"] for item in handler.received)
    assert set(arrived) == expected
    assert set(arrived.values()) == {1}, [mid for mid, n in arrived.items() if n > 1]
    assert handler.refusals_left == 0  # the restart's refusals were met and retried
    assert statuses(sessions) == {OutboxStatus.SENT: MAILS}
    for item in handler.received:
        [attachment] = list(item.message.iter_attachments())
        assert attachment.get_content() == PDF
    recovered = now - START - timedelta(minutes=DOWN_MINUTES)
    print(f"\nepost: {MAILS} brev, levererade {len(arrived)} gånger en, efter {recovered}")
