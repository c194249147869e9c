"""Absolute links to the app for e-mail, built from ESTAPP_BASE_URL without a request."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def external_url(base_url: str, endpoint: str, **values: Any) -> str:
    """The app's URL for ``endpoint`` under ``base_url`` (works in the scheduler, too)."""
    parts = urlsplit(base_url)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
