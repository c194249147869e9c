"""Entry point for gunicorn: ``gunicorn wsgi:app``."""

import sys

from estapp import create_app
from estapp.config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    # One clear line naming the setting, instead of a traceback per worker.
    sys.stderr.write(f"estapp: {error}\n")
    raise SystemExit(3) from None
