"""Importing observations from a file: every row is checked before anything is written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from estapp.audit import record
from estapp.models import (
    Area,
    Category,
    Concern,
    Municipality,
    Observation,
    Organisation,
    TimeOfDay,
    User,
    WeeklyReport,
)
from estapp.reporting import services
from estapp.reporting.domain import MAX_DESCRIPTION_LENGTH, MAX_OCCURRENCES
from estapp.reporting.transfer import ORGANISATION_COLUMN, SheetRow
from estapp.weeks import IsoWeek

TIME_OF_DAY_WORDS = {
    "natt": TimeOfDay.NIGHT,
    "morgon": TimeOfDay.MORNING,
    "dag": TimeOfDay.DAY,
    "kväll": TimeOfDay.EVENING,
    "kvall": TimeOfDay.EVENING,
}
CONCERN_WORDS = {
    "låg": Concern.LOW,
    "lag": Concern.LOW,
    "medel": Concern.MEDIUM,
    "hög": Concern.HIGH,
    "hog": Concern.HIGH,
}
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?::\d{2})?$")


@dataclass(frozen=True)
class RowError:
    row: int
    messages: tuple[str, ...]


@dataclass(frozen=True)
class PlannedObservation:
    row: int
    organisation: Organisation
    week: IsoWeek
    data: services.ObservationInput


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _parse_date(text: str) -> date | None:
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _parse_time(text: str) -> time | None:
    match = _TIME.match(text.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None
    return time(int(match.group(1)), int(match.group(2)))


def plan_import(
    session: Session,
    municipality: Municipality,
    rows: list[SheetRow],
    *,
    organisation: Organisation | None,
    today: date,
) -> tuple[list[PlannedObservation], list[RowError]]:
    """Check every row; return what would be created, and every bad row with its reasons."""
    areas = {
        _key(a.name): a
        for a in session.scalars(select(Area).where(Area.municipality_id == municipality.id))
    }
    categories = {
        _key(c.name): c
        for c in session.scalars(
            select(Category).where(Category.municipality_id == municipality.id)
        )
    }
    partners = {_key(o.name): o for o in municipality.organisations if o.active}
    planned: list[PlannedObservation] = []
    errors: list[RowError] = []
    for row in rows:
        v = row.values
        problems: list[str] = []
        org = organisation or partners.get(_key(v.get(ORGANISATION_COLUMN[0], "")))
        if org is None:
            problems.append("Organisation: okänd eller deltar inte i kommunen.")
        occurred = _parse_date(v["Datum"])
        if occurred is None:
            problems.append("Datum: skriv datumet som ÅÅÅÅ-MM-DD.")
        elif occurred > today:
            problems.append("Datum: datumet ligger i framtiden.")
        exact = _parse_time(v["Klockslag"]) if v["Klockslag"] else None
        if v["Klockslag"] and exact is None:
            problems.append("Klockslag: skriv tiden som TT:MM, till exempel 21:30.")
        period = TIME_OF_DAY_WORDS.get(_key(v["Tid på dygnet"]))
        if v["Tid på dygnet"] and period is None:
            problems.append("Tid på dygnet: skriv natt, morgon, dag eller kväll.")
        area = areas.get(_key(v["Område"]))
        if area is None:
            problems.append(f"Område: '{v['Område']}' finns inte i {municipality.name}.")
        place_id = None
        if v["Plats"] and area is not None:
            place = next((p for p in area.places if _key(p.name) == _key(v["Plats"])), None)
            if place is None:
                problems.append(f"Plats: '{v['Plats']}' finns inte i området {area.name}.")
            else:
                place_id = place.id
        category = categories.get(_key(v["Händelsetyp"]))
        if category is None:
            problems.append(f"Händelsetyp: '{v['Händelsetyp']}' är okänd.")
        elif occurred is not None and (
            too_old := services.too_old_to_keep(category, IsoWeek.of(occurred), today=today)
        ):
            problems.append(too_old)
        if not v["Beskrivning"].strip():
            problems.append("Beskrivning: saknas.")
        elif len(v["Beskrivning"]) > MAX_DESCRIPTION_LENGTH:
            problems.append(f"Beskrivning: högst {MAX_DESCRIPTION_LENGTH} tecken.")
        count_text = v["Antal"] or "1"
        occurrences = int(count_text) if count_text.isdigit() else 0
        if not 1 <= occurrences <= MAX_OCCURRENCES:
            problems.append(f"Antal: ett heltal från 1 till {MAX_OCCURRENCES}.")
        concern = CONCERN_WORDS.get(_key(v["Oro"]))
        if concern is None:
            problems.append("Oro: skriv låg, medel eller hög.")
        if problems or occurred is None or area is None or category is None or org is None:
            errors.append(RowError(row.number, tuple(problems)))
            continue
        data = services.ObservationInput(
            occurred_on=occurred,
            time_of_day=period,
            exact_time=exact,
            area_id=area.id,
            place_id=place_id,
            other_place=v["Annan plats"] or None,
            category_id=category.id,
            description=v["Beskrivning"],
            occurrences=occurrences,
            concern=concern,  # type: ignore[arg-type]
        )
        week = IsoWeek.of(occurred)
        probe = WeeklyReport(municipality_id=municipality.id, week_start=week.monday)
        try:
            services.check_observation(session, probe, data)
        except services.ObservationRejected as rejected:
            errors.append(RowError(row.number, tuple(rejected.errors.values())))
            continue
        planned.append(PlannedObservation(row.number, org, week, data))
    return planned, errors


ALREADY_THERE = (
    "Händelsen finns redan (samma aktör, datum, plats, händelsetyp och beskrivning). "
    "Ta bort raden, eller ändra händelsen i veckorapporten i stället."
)


def _identity(
    organisation_id: int,
    occurred: date,
    area_id: int,
    place_id: int | None,
    other_place: str | None,
    category_id: int,
    description: str,
) -> tuple[object, ...]:
    where = place_id if place_id is not None else _key(other_place or "")
    return (organisation_id, occurred, area_id, where, category_id, _key(description))


def refuse_existing(
    session: Session, municipality: Municipality, planned: list[PlannedObservation]
) -> tuple[list[PlannedObservation], list[RowError]]:
    """Split off rows that are already saved, so importing the same file twice adds nothing."""
    if not planned:
        return [], []
    days = {item.data.occurred_on for item in planned}
    existing = {
        _identity(
            o.organisation_id,
            o.occurred_on,
            o.area_id,
            o.place_id,
            o.other_place,
            o.category_id,
            o.description,
        )
        for o in session.scalars(
            select(Observation).where(
                Observation.municipality_id == municipality.id,
                Observation.organisation_id.in_({item.organisation.id for item in planned}),
                Observation.occurred_on.in_(days),
            )
        )
    }
    fresh: list[PlannedObservation] = []
    errors: list[RowError] = []
    for item in planned:
        d = item.data
        identity = _identity(
            item.organisation.id,
            d.occurred_on,
            d.area_id,
            d.place_id,
            d.other_place,
            d.category_id,
            d.description,
        )
        if identity in existing:
            errors.append(RowError(item.row, (ALREADY_THERE,)))
        else:
            fresh.append(item)
    return fresh, errors


def import_observations(
    session: Session,
    actor: User,
    municipality: Municipality,
    planned: list[PlannedObservation],
    *,
    tz: ZoneInfo,
    now: datetime,
    filename: str = "",
) -> int:
    """Write rows that all passed :func:`plan_import`, each into its week's report."""
    for item in planned:
        report = services.open_report(session, municipality, item.organisation, item.week, now=now)
        services.save_observation(
            session,
            actor,
            report,
            item.data,
            deadline=services.report_deadline(municipality, item.week, tz),
            now=now,
        )
    record(
        session,
        actor,
        "observations_imported",
        "municipality",
        municipality.id,
        municipality_id=municipality.id,
        details={
            "file": filename[:200],
            "count": len(planned),
            "weeks": sorted({str(item.week) for item in planned}),
            "organisations": sorted({item.organisation.name for item in planned}),
        },
        now=now,
    )
    return len(planned)
