"""Admin operations on user accounts: create, invite, change role and scope, deactivate.

Each function takes the session, the acting user and ``now``; it flushes and audits, never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from estapp.admin.errors import InvalidChange
from estapp.audit import record
from estapp.auth.passwords import hash_password
from estapp.auth.services import (
    email_taken,
    end_all_sessions,
    issue_password_token,
    normalise_email,
)
from estapp.models import Municipality, Organisation, Role, User


def create_user(
    session: Session,
    actor: User | None,
    *,
    email: str,
    name: str,
    role: Role,
    organisation: Organisation | None = None,
    municipalities: list[Municipality] | None = None,
    password: str | None = None,
    password_hash: str | None = None,
    now: datetime,
) -> User:
    """Create an account; without a password the user sets one through an invitation link."""
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        role=role,
        organisation=organisation,
        municipalities=list(municipalities or []),
        password_hash=hash_password(password) if password else password_hash,
        created_at=now,
    )
    session.add(user)
    session.flush()
    record(
        session,
        actor,
        "user_created",
        "user",
        user.id,
        details={"email": user.email, "role": role.value, "organisation_id": user.organisation_id},
        now=now,
    )
    return user


def _scope_for_role(
    role: Role,
    organisation: Organisation | None,
    municipalities: Sequence[Municipality],
    *,
    organisation_changed: bool,
) -> tuple[Organisation | None, list[Municipality]]:
    """Check that the role has what it needs and drop what it does not use.

    Reporters see their organisation's kommuner; coordinators and viewers their own list; admins
    see everything, so a list of kommuner on an admin would only mislead.
    """
    if role == Role.REPORTER:
        if organisation is None:
            raise InvalidChange("organisation", _l("En rapportör måste höra till en aktör."))
        if organisation_changed and not organisation.active:
            raise InvalidChange(
                "organisation",
                _l("Aktören %(name)s är inaktiv. Aktivera den först.", name=organisation.name),
            )
        return organisation, []
    if role in (Role.COORDINATOR, Role.VIEWER) and not municipalities:
        raise InvalidChange(
            "municipalities",
            _l("Välj minst en kommun för en samordnare eller läsare."),
        )
    if role == Role.ADMIN:
        return organisation, []
    return organisation, list(municipalities)


def invite_user(
    session: Session,
    actor: User,
    *,
    email: str,
    name: str,
    role: Role,
    organisation: Organisation | None,
    municipalities: Sequence[Municipality],
    now: datetime,
) -> tuple[User, str]:
    """Create an account without a password; return it and the token of its set-password link."""
    if email_taken(session, email):
        raise InvalidChange(
            "email",
            _l(
                "Det finns redan en användare med e-postadressen %(email)s.",
                email=normalise_email(email),
            ),
        )
    organisation, municipalities = _scope_for_role(
        role, organisation, municipalities, organisation_changed=True
    )
    user = create_user(
        session,
        actor,
        email=email,
        name=name,
        role=role,
        organisation=organisation,
        municipalities=list(municipalities),
        now=now,
    )
    return user, _issue_invitation(session, actor, user, now=now)


def renew_invitation(session: Session, actor: User, user: User, *, now: datetime) -> str:
    """Issue a new set-password link; the earlier one stops working."""
    if not user.active:
        raise InvalidChange(
            None, _l("Kontot är inaktiverat. Aktivera det innan du skickar en inbjudan.")
        )
    return _issue_invitation(session, actor, user, now=now)


def _issue_invitation(session: Session, actor: User, user: User, *, now: datetime) -> str:
    token = issue_password_token(session, user, now=now)
    record(
        session, actor, "invitation_issued", "user", user.id, details={"email": user.email}, now=now
    )
    session.flush()
    return token


def update_user(
    session: Session,
    actor: User,
    user: User,
    *,
    name: str,
    role: Role,
    organisation: Organisation | None,
    municipalities: Sequence[Municipality],
    now: datetime,
) -> dict[str, list[Any]]:
    """Change a user's name, role, organisation or kommuner."""
    if user.id == actor.id and user.role == Role.ADMIN and role != Role.ADMIN:
        raise InvalidChange("role", _l("Du kan inte ta bort din egen administratörsroll."))
    organisation, municipalities = _scope_for_role(
        role,
        organisation,
        municipalities,
        organisation_changed=organisation is not None and organisation.id != user.organisation_id,
    )
    changes: dict[str, list[Any]] = {}
    name = name.strip()
    if user.name != name:
        changes["name"] = [user.name, name]
        user.name = name
    if user.role != role:
        changes["role"] = [user.role.value, role.value]
        user.role = role
    if user.organisation_id != (organisation.id if organisation else None):
        changes["organisation"] = [_name(user.organisation), _name(organisation)]
        user.organisation = organisation
    if {m.id for m in user.municipalities} != {m.id for m in municipalities}:
        changes["municipalities"] = [_names(user.municipalities), _names(municipalities)]
        user.municipalities = list(municipalities)
    if changes:
        session.flush()
        record(
            session,
            actor,
            "user_updated",
            "user",
            user.id,
            details={"email": user.email, "changes": changes},
            now=now,
        )
    return changes


def set_user_active(
    session: Session, actor: User, user: User, active: bool, *, now: datetime
) -> None:
    """Deactivate an account and end all its sessions at once, or reactivate it."""
    if not active and user.id == actor.id:
        raise InvalidChange(None, _l("Du kan inte inaktivera ditt eget konto."))
    if user.active == active:
        return
    user.active = active
    if not active:
        end_all_sessions(session, user)
    session.flush()
    record(
        session,
        actor,
        "user_activated" if active else "user_deactivated",
        "user",
        user.id,
        details={"email": user.email},
        now=now,
    )


def _name(organisation: Organisation | None) -> str | None:
    return organisation.name if organisation else None


def _names(municipalities: Sequence[Municipality]) -> list[str]:
    return sorted(m.name for m in municipalities)


def organisation_by_id(session: Session, organisation_id: int | None) -> Organisation | None:
    """The organisation with this id, None for no id; an unknown id is an error at the field."""
    if organisation_id is None:
        return None
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise InvalidChange("organisation", _l("Den valda aktören finns inte."))
    return organisation
