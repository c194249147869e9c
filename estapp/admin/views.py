"""Admin pages (admin role only)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from estapp.auth.access import roles_required
from estapp.models import Role

bp = Blueprint("admin", __name__)


@bp.before_request
@roles_required(Role.ADMIN)
def require_admin() -> None:
    """Refuse everyone but admins on every admin page."""


@bp.route("/")
def index() -> ResponseReturnValue:
    """Show the admin overview."""
    return render_template("admin/index.html")
