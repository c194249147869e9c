"""The outbox page for coordinators; routes are added to ``coordination`` by :func:`register`."""

from __future__ import annotations

from flask import Blueprint


def register(coordination_bp: Blueprint) -> None:
    """Add the routes to the coordination blueprint."""
