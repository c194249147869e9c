"""A request id on every request (from the load balancer's X-Request-ID, or new) and one log
line per request: method, path, status and duration, never the query string or a token."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

log = logging.getLogger("estapp.request")

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# URL arguments that never hold personal data or secrets (integers never do either); a path
# with any other argument, such as the token of a set-password link, is logged as its rule.
SAFE_PATH_ARGUMENTS = frozenset({"kommun_slug", "week", "week_text", "filename"})
# The load balancer asks every few seconds; only an unhealthy answer is worth a line.
QUIET_WHEN_OK = frozenset({"health.healthz"})


def request_id_from(header: str | None) -> str:
    """The caller's request id if it is a plain token, otherwise a new one."""
    if header and _VALID_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def loggable_path() -> str | None:
    """The request's path when every URL argument is harmless, else the route's rule; None
    for a URL that matched no route (it could hold anything the visitor typed)."""
    rule = request.url_rule
    if rule is None:
        return None
    arguments = request.view_args or {}
    if all(isinstance(v, int) or k in SAFE_PATH_ARGUMENTS for k, v in arguments.items()):
        return request.path
    return rule.rule


def init_app(app: Flask) -> None:
    """Install the hooks; call before any other before_request hook, so the timing is whole."""

    @app.before_request
    def start_request() -> None:
        g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        g.request_started = time.perf_counter()

    @app.after_request
    def finish_request(response: Response) -> Response:
        if "request_id" not in g:  # a hook before ours answered; still give an id
            g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        response.headers[REQUEST_ID_HEADER] = g.request_id
        if request.endpoint in QUIET_WHEN_OK and response.status_code == 200:
            return response
        started = g.get("request_started")
        duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
        path = loggable_path()
        log.log(
            logging.WARNING if response.status_code >= 500 else logging.INFO,
            "%s %s %s %s ms",
            request.method,
            path or "(okänd sökväg)",
            response.status_code,
            duration_ms,
            extra={
                "request_id": g.request_id,
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
        return response
