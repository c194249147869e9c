"""A logged-in browser, in miniature: stdlib HTTP with cookies and the CSRF token of a page.

Used by the load test's client threads (one per simulated user); no dependency beyond Python.
"""

from __future__ import annotations

import http.client
import re
import time
from urllib.parse import urlencode

CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class LoginFailed(Exception):
    pass


def csrf_token(page: str) -> str:
    match = CSRF_PATTERN.search(page)
    if match is None:
        raise LoginFailed("sidan saknar CSRF-token")
    return match.group(1)


class HttpSession:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, float]:
        """Send one request on a new connection; return the status, the body and the seconds
        from sending to the last byte of the answer."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            elapsed = time.perf_counter() - started
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()
            return response.status, data.decode("utf-8", "replace"), elapsed
        finally:
            connection.close()

    def log_in(self, email: str, password: str) -> None:
        status, page, _ = self.request("GET", "/logga-in")
        form = {"csrf_token": csrf_token(page), "email": email, "password": password}
        status, _, _ = self.request("POST", "/logga-in", form)
        if status != 302:
            raise LoginFailed(f"inloggningen som {email} gav svar {status}")
