"""The start page: what the logged-in user can do, by role."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from estapp.auth.access import municipality_ids
from estapp.db import get_session
from estapp.models import Municipality, Role

bp = Blueprint("home", __name__)


@bp.route("/")
def index() -> ResponseReturnValue:
    """Show the start page for the user's role and kommuner."""
    query = select(Municipality).order_by(Municipality.name)
    if current_user.role != Role.ADMIN:
        query = query.where(Municipality.id.in_(municipality_ids(current_user)))
    municipalities = get_session().scalars(query).all()
    return render_template("home/index.html", municipalities=municipalities)
