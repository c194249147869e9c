"""Entry point for gunicorn: ``gunicorn wsgi:app``."""

from estapp import create_app

app = create_app()
