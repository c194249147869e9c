"""Running estapp in production: health check, structured logs, start-up checks, proxies."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from estapp.config import Settings


def init_app(app: Flask, settings: Settings) -> None:
    """Request ids and request logging; trust the configured number of reverse proxies."""
    from estapp.ops import request_log

    request_log.init_app(app)
    if settings.proxy_count:
        # Behind nginx or a load balancer every request comes from the proxy: take the
        # client's address (login throttling counts per address) and https from the headers
        # the trusted proxies set. Never X-Forwarded-Host: links use ESTAPP_BASE_URL.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.proxy_count, x_proto=settings.proxy_count
        )
