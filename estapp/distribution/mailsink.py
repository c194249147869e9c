"""``estapp mailsink``: a local SMTP server for development that keeps every mail as a file.

``make run`` points the app at it, so what the outbox sends can be read without a real mail
server: each message is written unchanged as a ``.eml`` file (any mail program opens it) and
announced with one line. aiosmtpd is a development dependency, imported only when the command runs.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import signal
import socket
import threading
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import click

from estapp.config import DEFAULT_INSTANCE_DIR

START_TIMEOUT = 5.0  # seconds for the server thread to start listening


def default_directory() -> Path:
    """``mail`` in the instance folder (ESTAPP_INSTANCE_DIR, as the app uses)."""
    instance = os.environ.get("ESTAPP_INSTANCE_DIR", "").strip()
    return (Path(instance) if instance else DEFAULT_INSTANCE_DIR) / "mail"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _attachments(message: EmailMessage) -> int:
    return sum(1 for _part in message.iter_attachments()) if message.is_multipart() else 0


def describe(message: EmailMessage, recipients: list[str], path: Path) -> str:
    """The line printed for one received message."""
    count = _attachments(message)
    if count == 0:
        attached = "inga bilagor"
    elif count == 1:
        attached = "1 bilaga"
    else:
        attached = f"{count} bilagor"
    subject = " ".join(str(message.get("Subject", "")).split()) or "(inget ämne)"
    return f"Till {', '.join(recipients)}: ”{subject}”, {attached} – sparat i {path}"


def check_port(host: str, port: int) -> str | None:
    """Why the sink cannot listen there (in Swedish), or None if it can.

    aiosmtpd only reports a failed bind after its start-up timeout; this answers at once.
    """
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as asyncio does
            probe.bind(address)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            return f"porten {port} används redan (körs e-postsänkan redan?)"
        return f"kunde inte lyssna på {host}:{port}: {error.strerror or error}"
    return None


class MailFolder:
    """The aiosmtpd handler: accept every message and keep it as a numbered .eml file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.counter = 0
        self.lock = threading.Lock()

    def store(self, data: bytes, now: datetime) -> Path:
        """Write the message to a new file named by the time and a counter, so names sort."""
        stamp = now.strftime("%Y%m%d-%H%M%S")
        with self.lock:
            while True:
                self.counter += 1
                path = self.directory / f"{stamp}-{self.counter:04d}.eml"
                try:
                    with path.open("xb") as file:  # never overwrite an earlier run's file
                        file.write(data)
                except FileExistsError:
                    continue
                return path

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data = bytes(envelope.content)
        try:
            path = self.store(data, datetime.now())
        except OSError as error:
            click.echo(f"Fel: kunde inte spara brevet i {self.directory}: {error}", err=True)
            return "451 4.3.0 Brevet kunde inte sparas"
        message = message_from_bytes(data, policy=policy.default)
        assert isinstance(message, EmailMessage)
        click.echo(describe(message, list(envelope.rcpt_tos), path))
        return "250 OK: sparat"


@click.command("mailsink")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adress att lyssna på.")
@click.option(
    "--port", default=8025, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Mapp för breven (standard: instance/mail).",
)
def mailsink_command(host: str, port: int, directory: Path | None) -> None:
    """Receive the app's e-mail locally and save each message as a .eml file (development)."""
    from estapp.cli import CommandError

    if os.environ.get("ESTAPP_ENV", "").strip().lower() == "production":
        raise CommandError(
            "e-postsänkan är till för utveckling och startar inte i produktion "
            "(ESTAPP_ENV=production)"
        )
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        raise CommandError(
            "aiosmtpd saknas; installera utvecklingsberoendena med pip install -e '.[dev]'"
        ) from None
    folder = directory or default_directory()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(f"kunde inte skapa mappen {folder}: {error}") from None

    problem = check_port(host, port)
    if problem:
        raise CommandError(problem)
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    controller = Controller(
        MailFolder(folder),
        hostname=host,
        port=port,
        ready_timeout=START_TIMEOUT,
        server_hostname="localhost",  # the default asks DNS for this machine's name, maybe slowly
    )
    try:
        controller.start()
    except (OSError, TimeoutError) as error:
        raise CommandError(f"kunde inte lyssna på {host}:{port}: {error}") from None
    if not is_loopback(host):
        click.echo(f"Obs: {host} är inte bara den här datorn; andra kan skicka brev hit.")
    click.echo(
        f"E-postsänkan tar emot på {host}:{port} och sparar breven i {folder}. Stoppa med Ctrl-C."
    )
    try:
        while not stop.wait(0.5):  # a timed wait, so the signal handler gets its turn
            pass
    finally:
        controller.stop()
    click.echo("E-postsänkan är stoppad.")
