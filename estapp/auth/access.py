"""Access rules: every route needs a login unless marked public; roles and kommun scope."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app, request
from flask_login import current_user

from estapp.models import Municipality, Role, User

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC_ATTRIBUTE = "_estapp_public"


def public(view: F) -> F:
    """Mark a view as reachable without logging in."""
    setattr(view, PUBLIC_ATTRIBUTE, True)
    return view


def is_public_endpoint(app: Flask, endpoint: str | None) -> bool:
    if endpoint is None:
        return True  # 404s: let the error handler answer
    if endpoint == "static":
        return True
    view = app.view_functions.get(endpoint)
    return bool(view is not None and getattr(view, PUBLIC_ATTRIBUTE, False))


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Refuse (403) users whose role is not one of ``roles``."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated or current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def require_login_by_default(app: Flask) -> None:
    """Install the rule that a route without ``@public`` refuses anonymous users."""

    @app.before_request
    def refuse_anonymous() -> Any:
        if is_public_endpoint(current_app, request.endpoint):
            return None
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
        return None


def municipality_ids(user: User) -> set[int]:
    """The kommuner a user may see: all for admins, the organisation's for reporters."""
    if user.role == Role.REPORTER:
        return {m.id for m in user.organisation.municipalities} if user.organisation else set()
    return {m.id for m in user.municipalities}


def can_see_municipality(user: User, municipality: Municipality) -> bool:
    return user.role == Role.ADMIN or municipality.id in municipality_ids(user)


def belongs_to(user: User, municipality_id: int) -> bool:
    """The kommun is one of the user's own (a coordinator's, viewer's or admin's)."""
    return any(m.id == municipality_id for m in user.municipalities)


def coordinates(user: User, municipality_id: int, *, admin_must_belong: bool = False) -> bool:
    """The kommun's coordinators; admins too, all of them or (``admin_must_belong``) only
    those who belong to the kommun, e.g. for raw observations and drafts."""
    if user.role == Role.ADMIN:
        return not admin_must_belong or belongs_to(user, municipality_id)
    return user.role == Role.COORDINATOR and belongs_to(user, municipality_id)
