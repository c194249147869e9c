"""The app as ``wsgi.py`` builds it, plus one route for the benchmarks' floor.

``/bench/en-rad`` reads one row for a logged-in user: the least a page can do on the same stack
(gunicorn, Flask, the login check, the database), so the load test can say what a real page
costs beyond it. Only the benchmarks build this app
(``gunicorn 'bench.wsgi_app:create_bench_app()'``); the route never exists in estapp itself.
"""

from __future__ import annotations

from flask import Flask
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from estapp import create_app
from estapp.config import Settings
from estapp.ops.startup import freeze_startup_heap

FLOOR_PATH = "/bench/en-rad"


def create_bench_app(settings: Settings | None = None) -> Flask:
    app = create_app(settings)

    def one_row() -> ResponseReturnValue:
        """Read one row."""
        from estapp.db import get_session
        from estapp.models import Municipality

        name = get_session().scalar(select(Municipality.name).order_by(Municipality.id).limit(1))
        return name or "", 200, {"Content-Type": "text/plain; charset=utf-8"}

    app.add_url_rule(FLOOR_PATH, "bench_one_row", one_row)
    freeze_startup_heap()  # as wsgi.py does
    return app
