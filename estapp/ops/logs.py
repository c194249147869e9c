"""Log lines as text or as one JSON object each (ESTAPP_LOG_FORMAT), without personal data.

The same formatters serve the web workers, gunicorn's own messages and the scheduler. What
the app logs about a request is its id, method, path, status and duration: never a query string,
a form, an IP address or a token in the path (see ``request_log``). E-mail addresses and the
bound values SQLAlchemy and PostgreSQL put in error messages are blanked in every line, since
an exception can carry what a user typed.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from flask import g, has_request_context

from estapp.config import Settings

# Attributes a record may carry (``extra=``) that the JSON line includes, in this order.
REQUEST_FIELDS = ("request_id", "method", "path", "status", "duration_ms")

_REDACTIONS = (
    (re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+"), "[e-postadress]"),
    (re.compile(r"\[parameters: .*"), "[parameters: dolda]"),
    (re.compile(r"DETAIL: .*"), "DETAIL: dold"),
)
# At INFO these log every job run (several lines a minute, for years) or every PDF step.
CHATTY_LOGGERS = ("apscheduler", "weasyprint", "fontTools")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def redact(text: str) -> str:
    """``text`` without e-mail addresses or the values of a failed SQL statement."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RequestContextFilter(logging.Filter):
    """Give every record the id of the request it was logged in ("-" outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            in_request = has_request_context() and "request_id" in g
            record.request_id = g.request_id if in_request else "-"
        return True


class TextFormatter(logging.Formatter):
    """One readable line per record, personal data blanked."""

    def __init__(self, component: str = "") -> None:
        super().__init__(TEXT_FORMAT)
        self.component = component

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, component, pid, message, and the
    request's fields when there are any."""

    def __init__(self, component: str = "") -> None:
        super().__init__()
        self.component = component

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "component": self.component,
            "pid": record.process,
            "message": redact(record.getMessage()),
        }
        for name in REQUEST_FIELDS:
            value = getattr(record, name, None)
            if value is not None and value != "-":
                entry[name] = value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        elif record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def formatter_for(log_format: str, component: str) -> logging.Formatter:
    """The formatter for ESTAPP_LOG_FORMAT (also used by gunicorn's logging configuration)."""
    return JsonFormatter(component) if log_format == "json" else TextFormatter(component)


def configure_logging(settings: Settings, *, component: str) -> None:
    """Send every logger's records to stderr in the configured format (once per process;
    calling it again replaces the handler it installed)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_estapp", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._estapp = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter_for(settings.log_format, component))
    handler.addFilter(RequestContextFilter())
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    if settings.log_level != "debug":
        for name in CHATTY_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)


def gunicorn_logconfig(settings: Settings) -> dict[str, Any]:
    """gunicorn's ``logconfig_dict``: its own messages in our format on stderr; the root
    logger is left to the app (``configure_logging`` in each worker), so no line is doubled.
    gunicorn's access log stays off: the app logs each request without query strings."""
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "estapp",
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": settings.log_level.upper(), "handlers": []},
        "formatters": {
            "estapp": {
                "()": "estapp.ops.logs.formatter_for",
                "log_format": settings.log_format,
                "component": "gunicorn",
            }
        },
        "filters": {"request": {"()": "estapp.ops.logs.RequestContextFilter"}},
        "handlers": {
            "console": {**handler, "filters": ["request"]},
            "error_console": {**handler, "filters": ["request"]},
        },
        "loggers": {
            "gunicorn.error": {
                "level": settings.log_level.upper(),
                "handlers": ["error_console"],
                "propagate": False,
            },
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
        },
    }
