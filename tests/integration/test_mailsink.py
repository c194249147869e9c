"""``estapp mailsink`` as a real process: the outbox's mail arrives as .eml files, announced."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from estapp.db import make_session_factory
from estapp.distribution.mailsink import mailsink_command
from estapp.distribution.outbox import Attachment, queue_message, send_due
from estapp.models import Municipality, OutboxMessage, OutboxStatus
from tests.conftest import make_settings
from tests.integration.smtp_server import free_port

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"
TIMEOUT = 30  # seconds; generous for a shared two-core machine
STARTED = "E-postsänkan tar emot på"


class Sink:
    """A running ``estapp mailsink`` whose output is read line by line as it comes."""

    def __init__(self, port: int, directory: Path, environ: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "estapp.cli",
                "mailsink",
                "--port",
                str(port),
                "--dir",
                str(directory),
            ],
            cwd=REPO,
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def next_line(self) -> str:
        line = self.lines.get(timeout=TIMEOUT)
        assert line is not None, f"the sink ended: {self.process.stderr.read()}"  # type: ignore[union-attr]
        return line

    def stop(self) -> tuple[int, list[str], str]:
        """SIGTERM; the exit code, the lines not yet read and stderr."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=TIMEOUT)  # stdout is the reader thread's alone
        self.reader.join(timeout=TIMEOUT)
        assert self.process.stderr is not None
        err = self.process.stderr.read()
        rest = []
        while (line := self.lines.get_nowait()) is not None:
            rest.append(line)
        return self.process.returncode, rest, err

    def close(self) -> None:
        """Kill it if it still runs, and close the pipes."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=TIMEOUT)
        self.reader.join(timeout=TIMEOUT)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "ESTAPP_INSTANCE_DIR": str(tmp_path / "instance"),
        "PYTHONWARNINGS": "error",
        **extra,
    }


@pytest.fixture
def port():
    return free_port()


@pytest.fixture
def sink(tmp_path, port):
    running = Sink(port, tmp_path / "mail", environment(tmp_path))
    try:
        assert running.next_line().startswith(f"{STARTED} 127.0.0.1:{port}")
        yield running
    finally:
        running.close()


def test_the_outboxs_mail_lands_as_eml_files_and_one_line_each(
    sink, port, tmp_path, db, engine, database_url
):
    settings = make_settings(
        database_url,
        tmp_path,
        ESTAPP_SMTP_HOST="127.0.0.1",
        ESTAPP_SMTP_PORT=str(port),
        ESTAPP_SMTP_SECURITY="none",
        ESTAPP_MAIL_FROM="EST Ekbacka <est@ekbacka.example>",
    )
    with db.begin():
        ekbacka = Municipality(name="Ekbacka", slug="ekbacka")
        db.add(ekbacka)
        db.flush()
        queue_message(
            db,
            document_key="lagesbild:ekbacka:2026-W47:v1",
            recipient="anna.berg@ekbacka.example",
            subject="Lägesbild vecka 47, Ekbacka",
            text="Hej!\n\nHär är veckans lägesbild.\n",
            attachment=Attachment("lagesbild-ekbacka-2026-W47.pdf", "application/pdf", PDF),
            settings=settings,
            municipality=ekbacka,
            now=NOW,
        )
        queue_message(
            db,
            document_key="paminnelse:ekbacka:2026-W47",
            recipient="polis@ekbacka.example",
            subject="Påminnelse: veckorapporten",
            text="Glöm inte veckorapporten.\n",
            settings=settings,
            municipality=ekbacka,
            now=NOW,
        )

    summary = send_due(make_session_factory(engine), settings, now=NOW)

    assert (summary.sent, summary.failed, summary.waiting) == (2, 0, 0)
    first, second = sink.next_line(), sink.next_line()
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    assert first == (
        "Till anna.berg@ekbacka.example: ”Lägesbild vecka 47, Ekbacka”, 1 bilaga"
        f" – sparat i {files[0]}"
    )
    assert second == (
        "Till polis@ekbacka.example: ”Påminnelse: veckorapporten”, inga bilagor"
        f" – sparat i {files[1]}"
    )
    mail = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert mail["Subject"] == "Lägesbild vecka 47, Ekbacka"
    assert mail["To"] == "anna.berg@ekbacka.example"
    assert "Här är veckans lägesbild." in mail.get_body(("plain",)).get_content()
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "lagesbild-ekbacka-2026-W47.pdf"
    assert attachment.get_content() == PDF
    db.rollback()
    assert set(db.scalars(select(OutboxMessage.status))) == {OutboxStatus.SENT}

    code, rest, err = sink.stop()

    assert code == 0, err
    assert rest == ["E-postsänkan är stoppad."]
    assert "Traceback" not in err


def test_the_sink_refuses_to_run_in_production(tmp_path, port):
    result = subprocess.run(
        [sys.executable, "-m", "estapp.cli", "mailsink", "--port", str(port)],
        cwd=REPO,
        env=environment(tmp_path, ESTAPP_ENV="production"),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )

    assert result.returncode != 0
    assert result.stderr.strip() == (
        "Fel: e-postsänkan är till för utveckling och startar inte i produktion "
        "(ESTAPP_ENV=production)"
    )
    assert result.stdout == ""
    assert not (tmp_path / "instance").exists()


def test_a_port_in_use_is_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "estapp.cli", "mailsink", "--port", str(port)],
            cwd=REPO,
            env=environment(tmp_path),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )

    assert result.returncode != 0
    assert result.stderr.strip() == f"Fel: porten {port} används redan (körs e-postsänkan redan?)"


def test_without_aiosmtpd_the_command_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "aiosmtpd.controller", None)  # import fails
    monkeypatch.delenv("ESTAPP_ENV", raising=False)

    result = CliRunner().invoke(mailsink_command, ["--dir", str(tmp_path / "mail")])

    assert result.exit_code != 0
    assert result.output.strip() == (
        "Fel: aiosmtpd saknas; installera utvecklingsberoendena med pip install -e '.[dev]'"
    )
    assert not (tmp_path / "mail").exists()
