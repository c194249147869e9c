"""Admin operations on kommuner and organisations, and the entry point to all admin services.

Each function takes the session, the acting user and ``now``; it flushes and audits, never commits.
A rule the change would break raises :class:`InvalidChange`, naming the form field it concerns.
Areas and places live in :mod:`estapp.admin.places`, categories in :mod:`estapp.admin.categories`,
accounts in :mod:`estapp.admin.accounts`; the ``create_*`` functions are re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from estapp.admin.accounts import create_user
from estapp.admin.categories import create_category
from estapp.admin.changes import (
    apply_changes,
    audit_value,
    name_taken,
    record_active,
    record_update,
)
from estapp.admin.errors import InvalidChange
from estapp.admin.places import create_area, create_place
from estapp.audit import record
from estapp.labels import DEFAULT_CATEGORIES
from estapp.models import Category, Municipality, Organisation, OrganisationKind, User

__all__ = [
    "InvalidChange",
    "all_municipalities",
    "all_organisations",
    "create_area",
    "create_category",
    "create_municipality",
    "create_organisation",
    "create_place",
    "create_user",
    "municipalities_by_ids",
    "set_organisation_active",
    "update_municipality",
    "update_organisation",
]


# --- kommuner -------------------------------------------------------------------------------


def _check_municipality(
    session: Session, name: str, slug: str, exclude: Municipality | None
) -> None:
    if name_taken(session, Municipality.name, name, exclude=exclude):
        raise InvalidChange("name", _l("Det finns redan en kommun som heter %(name)s.", name=name))
    if name_taken(session, Municipality.slug, slug, exclude=exclude):
        raise InvalidChange(
            "slug", _l("Kortnamnet %(slug)s används redan av en annan kommun.", slug=slug)
        )


def create_municipality(
    session: Session, actor: User | None, name: str, slug: str, *, now: datetime
) -> Municipality:
    """Create a kommun with the default categories."""
    name, slug = name.strip(), slug.strip().lower()
    _check_municipality(session, name, slug, None)
    municipality = Municipality(name=name, slug=slug)
    session.add(municipality)
    for position, category in enumerate(DEFAULT_CATEGORIES):
        session.add(Category(municipality=municipality, name=category, position=position))
    session.flush()
    record(
        session,
        actor,
        "municipality_created",
        "municipality",
        municipality.id,
        municipality_id=municipality.id,
        details={"name": municipality.name, "slug": municipality.slug},
        now=now,
    )
    return municipality


def update_municipality(
    session: Session,
    actor: User,
    municipality: Municipality,
    *,
    name: str,
    slug: str,
    now: datetime,
) -> dict[str, list[Any]]:
    """Rename a kommun or change its short name."""
    name, slug = name.strip(), slug.strip().lower()
    _check_municipality(session, name, slug, municipality)
    changes = apply_changes(municipality, name=name, slug=slug)
    record_update(session, actor, "municipality_updated", municipality, changes, now=now)
    return changes


def all_municipalities(session: Session) -> list[Municipality]:
    return list(session.scalars(select(Municipality).order_by(Municipality.name)))


def municipalities_by_ids(session: Session, ids: Iterable[int]) -> list[Municipality]:
    """The kommuner with these ids; an id that matches none raises :class:`InvalidChange`."""
    wanted = set(ids)
    found = list(
        session.scalars(
            select(Municipality).where(Municipality.id.in_(wanted)).order_by(Municipality.name)
        )
    )
    if len(found) != len(wanted):
        raise InvalidChange("municipalities", _l("En av de valda kommunerna finns inte."))
    return found


# --- organisations --------------------------------------------------------------------------


def _check_organisation(
    session: Session,
    name: str,
    municipalities: Sequence[Municipality],
    exclude: Organisation | None,
) -> None:
    if name_taken(session, Organisation.name, name, exclude=exclude):
        raise InvalidChange("name", _l("Det finns redan en aktör som heter %(name)s.", name=name))
    if not municipalities:
        raise InvalidChange("municipalities", _l("Välj minst en kommun som aktören samverkar i."))


def create_organisation(
    session: Session,
    actor: User | None,
    name: str,
    kind: OrganisationKind,
    municipalities: list[Municipality],
    *,
    now: datetime,
) -> Organisation:
    """Create a partner organisation taking part in the given kommuner."""
    name = name.strip()
    _check_organisation(session, name, municipalities, None)
    organisation = Organisation(name=name, kind=kind, municipalities=list(municipalities))
    session.add(organisation)
    session.flush()
    record(
        session,
        actor,
        "organisation_created",
        "organisation",
        organisation.id,
        details={
            "name": organisation.name,
            "kind": kind.value,
            "municipalities": audit_value(list(municipalities)),
        },
        now=now,
    )
    return organisation


def update_organisation(
    session: Session,
    actor: User,
    organisation: Organisation,
    *,
    name: str,
    kind: OrganisationKind,
    municipalities: list[Municipality],
    now: datetime,
) -> dict[str, list[Any]]:
    """Change an organisation's name, kind or the kommuner it takes part in."""
    name = name.strip()
    _check_organisation(session, name, municipalities, organisation)
    changes = apply_changes(organisation, name=name, kind=kind)
    if {m.id for m in organisation.municipalities} != {m.id for m in municipalities}:
        changes["municipalities"] = [
            audit_value(organisation.municipalities),
            audit_value(list(municipalities)),
        ]
        organisation.municipalities = list(municipalities)
    record_update(session, actor, "organisation_updated", organisation, changes, now=now)
    return changes


def set_organisation_active(
    session: Session, actor: User, organisation: Organisation, active: bool, *, now: datetime
) -> None:
    """Deactivate an organisation (its history stays) or bring it back."""
    record_active(session, actor, organisation, active, now=now)


def all_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))
