"""The admin blueprint, shared by the admin view modules; admins only."""

from __future__ import annotations

from flask import Blueprint

from estapp.auth.access import roles_required
from estapp.models import Role

bp = Blueprint("admin", __name__)


@bp.before_request
@roles_required(Role.ADMIN)
def require_admin() -> None:
    """Refuse everyone but admins on every admin page."""
