"""What a meeting's changes must satisfy, with Swedish messages naming the field concerned.

The services check everything here before they touch anything; a refusal raises
:class:`MeetingRefused` and leaves the data as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from estapp.admin.fields import MAX_ID
from estapp.models import (
    ActionStatus,
    Area,
    Commitment,
    Municipality,
    Organisation,
    Place,
    PromiseStatus,
    User,
)

TEXT_LENGTH = 4000  # an action's text, a note or an outcome
MINUTES_LENGTH = 20000
PROMPTED_BY_LENGTH = 200
WHOLE_FORM = ""  # the key of a message that concerns no single field

T = TypeVar("T")


class MeetingRefused(Exception):
    """The change breaks a rule; ``errors`` maps form field names to Swedish messages."""

    def __init__(self, errors: dict[str, str | LazyString]) -> None:
        super().__init__("; ".join(str(message) for message in errors.values()))
        self.errors = errors

    @classmethod
    def at(cls, field: str, message: str | LazyString) -> MeetingRefused:
        return cls({field: message})

    @property
    def field(self) -> str:
        return next(iter(self.errors))

    @property
    def message(self) -> str:
        return str(next(iter(self.errors.values())))


LOCKED = _l("Protokollet är låst och kan inte ändras.")
NOT_OWNER = _l(
    "Bara den ansvariga aktörens användare och kommunens samordnare kan följa upp åtgärden."
)


def clean(text: str) -> str:
    """Trim, drop NUL characters and use one kind of line break."""
    return text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


@dataclass(frozen=True)
class ActionInput:
    text: str
    owner_organisation_id: int | None
    due_on: date | None
    owner_user_id: int | None = None
    area_id: int | None = None
    place_id: int | None = None
    commitment_id: int | None = None
    prompted_by: str = ""


@dataclass(frozen=True)
class CheckedAction:
    text: str
    organisation: Organisation
    due_on: date
    person: User | None
    area: Area | None
    place: Place | None
    commitment: Commitment | None
    prompted_by: str


def _get(session: Session, model: type[T], object_id: int | None) -> T | None:
    if object_id is None or not 0 < object_id <= MAX_ID:
        return None
    return session.get(model, object_id)


def checked_action(
    session: Session, municipality: Municipality, data: ActionInput, *, today: date
) -> CheckedAction:
    """The action's input resolved to the kommun's objects, or MeetingRefused with every problem."""
    errors: dict[str, str | LazyString] = {}
    text = clean(data.text)
    if not text:
        errors["text"] = _l("Skriv vad som ska göras.")
    elif len(text) > TEXT_LENGTH:
        errors["text"] = _l("Skriv högst %(max)d tecken.", max=TEXT_LENGTH)
    prompted_by = clean(data.prompted_by)[:PROMPTED_BY_LENGTH]

    organisation = _get(session, Organisation, data.owner_organisation_id)
    if organisation is None:
        errors["owner_organisation_id"] = _l("Välj den aktör som ansvarar för åtgärden.")
    elif not organisation.active or municipality not in organisation.municipalities:
        errors["owner_organisation_id"] = _l(
            "%(name)s deltar inte i EST i %(kommun)s. Välj en av kommunens aktörer.",
            name=organisation.name,
            kommun=municipality.name,
        )
    person = _get(session, User, data.owner_user_id)
    if data.owner_user_id is not None and (
        person is None
        or not person.active
        or organisation is None
        or person.organisation_id != organisation.id
    ):
        errors["owner_user_id"] = _l(
            "Välj en ansvarig person hos den ansvariga aktören, eller ingen person."
        )

    commitment = _get(session, Commitment, data.commitment_id)
    if data.commitment_id is not None and (
        commitment is None or commitment.promise.municipality_id != municipality.id
    ):
        errors["commitment_id"] = _l(
            "Åtagandet hör inte till %(kommun)s medborgarlöfte.", kommun=municipality.name
        )
        commitment = None
    elif commitment is not None and commitment.promise.status != PromiseStatus.ACTIVE:
        errors["commitment_id"] = _l("Välj ett åtagande i ett medborgarlöfte som gäller.")

    if data.due_on is None:
        errors["due_on"] = _l("Ange när åtgärden ska vara klar.")
    elif data.due_on < today:
        errors["due_on"] = _l("Datumet har redan varit. Välj i dag eller ett senare datum.")
    elif commitment is not None and not (
        commitment.promise.period_start <= data.due_on.year <= commitment.promise.period_end
    ):
        errors["due_on"] = _l(
            "Datumet ligger utanför medborgarlöftets period (%(start)d–%(end)d).",
            start=commitment.promise.period_start,
            end=commitment.promise.period_end,
        )

    area = _get(session, Area, data.area_id)
    if data.area_id is not None and (area is None or area.municipality_id != municipality.id):
        errors["where"] = _l("Välj ett område eller en plats i %(k)s.", k=municipality.name)
    place = _get(session, Place, data.place_id)
    if data.place_id is not None and (
        place is None or place.area.municipality_id != municipality.id
    ):
        errors["where"] = _l("Välj ett område eller en plats i %(k)s.", k=municipality.name)
    elif place is not None:
        area = place.area  # a place also counts for its area

    if errors:
        raise MeetingRefused(errors)
    assert organisation is not None and data.due_on is not None
    return CheckedAction(
        text=text,
        organisation=organisation,
        due_on=data.due_on,
        person=person,
        area=area,
        place=place,
        commitment=commitment,
        prompted_by=prompted_by,
    )


@dataclass(frozen=True)
class FollowUpInput:
    status: ActionStatus | None
    note: str = ""
    outcome: str = ""


def checked_follow_up(data: FollowUpInput) -> FollowUpInput:
    errors: dict[str, str | LazyString] = {}
    if not isinstance(data.status, ActionStatus):
        errors["status"] = _l("Välj planerad, pågående, genomförd eller inställd.")
    note, outcome = clean(data.note), clean(data.outcome)
    for name, text in (("note", note), ("outcome", outcome)):
        if len(text) > TEXT_LENGTH:
            errors[name] = _l("Skriv högst %(max)d tecken.", max=TEXT_LENGTH)
    if errors:
        raise MeetingRefused(errors)
    return FollowUpInput(status=data.status, note=note, outcome=outcome)
