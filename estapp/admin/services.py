"""Admin operations on kommuner, organisations, areas, places, categories and users.

Each function takes the session, the acting user and ``now``; it flushes and audits, never commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from estapp.audit import record
from estapp.auth.passwords import hash_password
from estapp.auth.services import normalise_email
from estapp.labels import DEFAULT_CATEGORIES
from estapp.models import (
    Area,
    Category,
    Municipality,
    Organisation,
    OrganisationKind,
    Place,
    Role,
    User,
)


def create_municipality(
    session: Session, actor: User | None, name: str, slug: str, *, now: datetime
) -> Municipality:
    """Create a kommun with the default categories."""
    municipality = Municipality(name=name.strip(), slug=slug.strip().lower())
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
        details={"name": municipality.name},
        now=now,
    )
    return municipality


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
    organisation = Organisation(name=name.strip(), kind=kind, municipalities=municipalities)
    session.add(organisation)
    session.flush()
    record(
        session,
        actor,
        "organisation_created",
        "organisation",
        organisation.id,
        details={"name": organisation.name, "kind": kind.value},
        now=now,
    )
    return organisation


def create_area(
    session: Session,
    actor: User | None,
    municipality: Municipality,
    name: str,
    *,
    parent: Area | None = None,
    geojson: dict[str, Any] | None = None,
    now: datetime,
) -> Area:
    area = Area(municipality=municipality, name=name.strip(), parent=parent, geojson=geojson)
    session.add(area)
    session.flush()
    record(
        session,
        actor,
        "area_created",
        "area",
        area.id,
        municipality_id=municipality.id,
        details={"name": area.name},
        now=now,
    )
    return area


def create_place(
    session: Session,
    actor: User | None,
    area: Area,
    name: str,
    *,
    latitude: float | None = None,
    longitude: float | None = None,
    now: datetime,
) -> Place:
    place = Place(area=area, name=name.strip(), latitude=latitude, longitude=longitude)
    session.add(place)
    session.flush()
    record(
        session,
        actor,
        "place_created",
        "place",
        place.id,
        municipality_id=area.municipality_id,
        details={"name": place.name},
        now=now,
    )
    return place


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
        details={"role": role.value, "organisation_id": user.organisation_id},
        now=now,
    )
    return user
