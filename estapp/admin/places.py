"""Admin operations on the areas and places of a kommun (flush and audit, never commit)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from estapp.admin.changes import apply_changes, delete_unless_used, name_taken, record_update
from estapp.admin.errors import InvalidChange
from estapp.audit import record
from estapp.models import Area, Municipality, Place, User

PATH_SEPARATOR = " › "


class _Node(Protocol):
    @property
    def id(self) -> int: ...


N = TypeVar("N", bound=_Node)


def _check_area(
    session: Session,
    municipality: Municipality,
    name: str,
    parent: Area | None,
    exclude: Area | None,
) -> None:
    if name_taken(
        session, Area.name, name, Area.municipality_id == municipality.id, exclude=exclude
    ):
        raise InvalidChange(
            "name",
            _l(
                "Det finns redan ett område som heter %(name)s i %(kommun)s.",
                name=name,
                kommun=municipality.name,
            ),
        )
    if parent is None:
        return
    if parent.municipality_id != municipality.id:
        raise InvalidChange("parent", _l("Det överordnade området måste höra till samma kommun."))
    ancestor: Area | None = parent
    while ancestor is not None:
        if exclude is not None and ancestor.id == exclude.id:
            raise InvalidChange(
                "parent",
                _l("Ett område kan inte ligga i sig självt eller i något av sina delområden."),
            )
        ancestor = ancestor.parent


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
    """Create an area of a kommun, optionally inside another area and with a polygon."""
    name = name.strip()
    _check_area(session, municipality, name, parent, None)
    area = Area(municipality=municipality, name=name, parent=parent, geojson=geojson)
    session.add(area)
    session.flush()
    record(
        session,
        actor,
        "area_created",
        "area",
        area.id,
        municipality_id=municipality.id,
        details={"name": area.name, "parent": parent.name if parent else None},
        now=now,
    )
    return area


def update_area(
    session: Session,
    actor: User,
    area: Area,
    *,
    name: str,
    parent: Area | None,
    geojson: dict[str, Any] | None,
    now: datetime,
) -> dict[str, list[Any]]:
    """Rename an area, move it under another area, or change its polygon."""
    name = name.strip()
    _check_area(session, area.municipality, name, parent, area)
    changes = apply_changes(area, name=name, parent=parent, geojson=geojson)
    record_update(session, actor, "area_updated", area, changes, now=now)
    return changes


def delete_area(session: Session, actor: User, area: Area, *, now: datetime) -> None:
    """Delete an area that has no places, no sub-areas and nothing else referring to it."""
    delete_unless_used(
        session,
        actor,
        area,
        _l(
            "Området har platser eller delområden, eller används i rapporter, och kan inte "
            "tas bort. Flytta eller ta bort dem först."
        ),
        now=now,
    )


def area_path(area: Area) -> str:
    """The area's name after those of the areas it lies in, e.g. "Centrum › Stora torget"."""
    names = [node.name for node in _up_the_tree(area, lambda node: node.parent)]
    return PATH_SEPARATOR.join(reversed(names))


def _up_the_tree(node: N | None, parent_of: Callable[[N], N | None]) -> Iterator[N]:
    """The node, the area it lies in, and so on up; a (broken) cycle stops the walk."""
    seen: set[int] = set()
    while node is not None and node.id not in seen:
        seen.add(node.id)
        yield node
        node = parent_of(node)


def areas_in_tree_order(session: Session, municipality: Municipality) -> list[Area]:
    """The kommun's areas, each followed by its sub-areas."""
    areas = session.scalars(
        select(Area)
        .where(Area.municipality_id == municipality.id)
        .options(selectinload(Area.places))  # every caller lists the places too
    ).all()
    return sorted(
        areas, key=lambda a: [part.casefold() for part in area_path(a).split(PATH_SEPARATOR)]
    )


@dataclass(frozen=True)
class AreaOutline:
    """An area as the forms list it: its path and its places (id, name), without the map."""

    id: int
    path: str
    places: tuple[tuple[int, str], ...]


def geography_outline(session: Session, municipality_id: int) -> list[AreaOutline]:
    """The kommun's areas in tree order with their places, read as plain rows.

    Every reporting form lists them; two narrow queries and no ORM objects keep that cheap
    when a large city has hundreds of places.
    """
    areas = session.execute(
        select(Area.id, Area.parent_id, Area.name).where(Area.municipality_id == municipality_id)
    ).all()
    by_id = {row.id: row for row in areas}

    def path_of(area_id: int) -> list[str]:
        walk = _up_the_tree(by_id[area_id], lambda row: by_id.get(row.parent_id))
        return [row.name for row in walk][::-1]

    places: dict[int, list[tuple[int, str]]] = {}
    if by_id:
        rows = session.execute(
            select(Place.area_id, Place.id, Place.name)
            .join(Area)
            .where(Area.municipality_id == municipality_id)
            .order_by(Place.name)
        )
        for area_id, place_id, name in rows:
            places.setdefault(area_id, []).append((place_id, name))
    paths = {area_id: path_of(area_id) for area_id in by_id}
    ordered = sorted(by_id, key=lambda a: [part.casefold() for part in paths[a]])
    return [
        AreaOutline(a, PATH_SEPARATOR.join(paths[a]), tuple(places.get(a, ()))) for a in ordered
    ]


def request_outline(municipality: Municipality) -> list[AreaOutline]:
    """:func:`geography_outline` for this request, read once however many forms list it."""
    from flask import g

    from estapp.db import get_session

    cache: dict[int, list[AreaOutline]] = g.setdefault("geography_outlines", {})
    if municipality.id not in cache:
        cache[municipality.id] = geography_outline(get_session(), municipality.id)
    return cache[municipality.id]


def possible_parents(session: Session, area: Area | None, municipality: Municipality) -> list[Area]:
    """Areas of the kommun that ``area`` may lie in: not itself, nor one of its sub-areas."""
    areas = areas_in_tree_order(session, municipality)
    if area is None:
        return areas
    excluded = {area.id}
    for candidate in areas:  # tree order lists every area before its sub-areas
        if candidate.parent_id in excluded:
            excluded.add(candidate.id)
    return [candidate for candidate in areas if candidate.id not in excluded]


def _check_place(session: Session, area: Area, name: str, exclude: Place | None) -> None:
    if name_taken(session, Place.name, name, Place.area_id == area.id, exclude=exclude):
        raise InvalidChange(
            "name",
            _l(
                "Det finns redan en plats som heter %(name)s i området %(area)s.",
                name=name,
                area=area.name,
            ),
        )


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
    """Create a place in an area, optionally with coordinates."""
    name = name.strip()
    _check_place(session, area, name, None)
    place = Place(area=area, name=name, latitude=latitude, longitude=longitude)
    session.add(place)
    session.flush()
    record(
        session,
        actor,
        "place_created",
        "place",
        place.id,
        municipality_id=area.municipality_id,
        details={"name": place.name, "area": area.name},
        now=now,
    )
    return place


def update_place(
    session: Session,
    actor: User,
    place: Place,
    *,
    area: Area,
    name: str,
    latitude: float | None,
    longitude: float | None,
    now: datetime,
) -> dict[str, list[Any]]:
    """Rename a place, move it to another area of the same kommun, or change its position."""
    name = name.strip()
    if area.municipality_id != place.area.municipality_id:
        raise InvalidChange("area", _l("Platsen kan bara flyttas till ett område i samma kommun."))
    _check_place(session, area, name, place)
    changes = apply_changes(place, area=area, name=name, latitude=latitude, longitude=longitude)
    record_update(session, actor, "place_updated", place, changes, now=now)
    return changes


def delete_place(session: Session, actor: User, place: Place, *, now: datetime) -> None:
    """Delete a place that nothing refers to."""
    delete_unless_used(
        session,
        actor,
        place,
        _l("Platsen används i rapporter eller åtgärder och kan inte tas bort."),
        now=now,
    )


def area_by_id(
    session: Session, municipality: Municipality, area_id: int | None, *, field: str
) -> Area | None:
    """The kommun's area with this id, None for no id; any other id is an error at ``field``."""
    if area_id is None:
        return None
    area = session.get(Area, area_id)
    if area is None or area.municipality_id != municipality.id:
        raise InvalidChange(field, _l("Det valda området finns inte i kommunen."))
    return area
