"""Helpers for the production tests: the environment of a production start, gunicorn as a real
server on a free port (stopped however the test ends), and a browser behind a load balancer."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from tests.integration.smtp_server import free_port

REPO = Path(__file__).resolve().parents[2]
PUBLIC_HOST = "est.example.se"  # the name users open; the load balancer forwards it as Host
CLIENT_ADDRESS = "198.51.100.7"  # the user's address, as the load balancer reports it
START_TIMEOUT = 90  # seconds for gunicorn to serve, on a busy two-core machine
STOP_TIMEOUT = 30
GUNICORN = [sys.executable, "-m", "gunicorn", "--config", str(REPO / "gunicorn.conf.py")]
SCHEDULER = [sys.executable, "-m", "estapp.cli", "scheduler"]


def production_environment(database_url: str, instance_dir: Path, **overrides: str) -> dict:
    """A production start's environment, without the caller's own ESTAPP_* variables."""
    environ = {key: value for key, value in os.environ.items() if not key.startswith("ESTAPP_")}
    environ.update(
        ESTAPP_ENV="production",
        ESTAPP_DATABASE_URL=database_url,
        ESTAPP_SECRET_KEY="Qm8-tR2vXe9LpZ4kWn7cYb1HsJ6dFg3uAo5iEx0N",
        ESTAPP_BASE_URL=f"https://{PUBLIC_HOST}",
        ESTAPP_SMTP_HOST="127.0.0.1",
        ESTAPP_MAIL_FROM="est@example.se",
        ESTAPP_INSTANCE_DIR=str(instance_dir),
        ESTAPP_LOG_FORMAT="json",
        ESTAPP_PROXY_COUNT="1",
    )
    environ.update(overrides)
    return environ


def run_until_exit(command: list[str], environ: dict, *, timeout: float = 60):
    """Run a command that is expected to stop by itself; a hang fails instead of blocking."""
    return subprocess.run(
        command,
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, as systemd stops a unit; SIGKILL to the whole group if that is not enough."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(STOP_TIMEOUT)


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def json(self) -> dict:
        return json.loads(self.body)

    def csrf_token(self) -> str:
        match = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', self.body)
        assert match, f"no CSRF token on the page:\n{self.body[:500]}"
        return match.group(1)


@dataclass
class WebHost:
    """One web host: a gunicorn master and its workers."""

    port: int
    process: subprocess.Popen
    log_path: Path

    def log_entries(self) -> list[dict]:
        """Every line gunicorn and the app logged, each parsed as JSON (fails if one is not)."""
        lines = [line for line in self.log_path.read_text().splitlines() if line.strip()]
        return [json.loads(line) for line in lines]


@dataclass
class Browser:
    """A user's browser reaching web hosts through an https load balancer: the same public
    host name and cookies whichever host answers, the client's address and https forwarded."""

    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        host: WebHost,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        sent = {
            "Host": PUBLIC_HOST,
            "X-Forwarded-For": CLIENT_ADDRESS,
            "X-Forwarded-Proto": "https",
            "Connection": "close",
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Referer"] = f"https://{PUBLIC_HOST}{path}"
        connection = http.client.HTTPConnection("127.0.0.1", host.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            reply = Reply(response.status, response.headers, response.read().decode())
        finally:
            connection.close()
        for header in reply.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return reply

    def get(self, host: WebHost, path: str, **headers: str) -> Reply:
        return self.request(host, "GET", path, headers=headers)

    def post(self, host: WebHost, path: str, form: dict[str, str]) -> Reply:
        return self.request(host, "POST", path, form=form)


def _wait_until_serving(host: WebHost) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if host.process.poll() is not None:
            raise AssertionError(f"gunicorn stopped:\n{host.log_path.read_text()}")
        try:
            Browser().get(host, "/healthz")
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn did not serve in {START_TIMEOUT} s")


@contextmanager
def web_host(environ: dict, log_path: Path, *, workers: int = 2) -> Iterator[WebHost]:
    """gunicorn with ``workers`` workers on a free loopback port, as the web unit starts it."""
    port = free_port()
    environ = {
        **environ,
        "ESTAPP_WEB_BIND": f"127.0.0.1:{port}",
        "ESTAPP_WEB_WORKERS": str(workers),
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*GUNICORN, "wsgi:app"],
            cwd=REPO,
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its workers can be killed as one group
        )
    host = WebHost(port, process, log_path)
    try:
        _wait_until_serving(host)
        yield host
    finally:
        stop(process)


@contextmanager
def scheduler_service(environ: dict, log_path: Path, *options: str) -> Iterator[subprocess.Popen]:
    """``estapp scheduler`` as its unit starts it, logging to ``log_path``; stopped (or killed,
    with the rest of its group) however the test ends."""
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*SCHEDULER, *options],
            cwd=REPO,
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        stop(process)
