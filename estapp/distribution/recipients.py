"""A kommun's distribution list and its distribution settings: who gets which documents, when.

Every change is audited. Refusals raise the admin services' :class:`InvalidChange`, with a
Swedish message and the form field it belongs to.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from estapp.admin.errors import InvalidChange
from estapp.audit import record
from estapp.distribution.outbox import InvalidRecipient, normalise_recipient
from estapp.models import (
    DistributionMode,
    DistributionRecipient,
    DistributionTrigger,
    Municipality,
    Organisation,
    Role,
    User,
)
from estapp.models.accounts import user_municipality
from estapp.models.geography import organisation_municipality


class Document(enum.StrEnum):
    """The documents a distribution list entry may receive."""

    LAGESBILD = "lagesbild"
    PROTOKOLL = "protokoll"


def recipients_of(session: Session, municipality: Municipality) -> list[DistributionRecipient]:
    """The whole list: users first (by name), then external addresses."""
    entries = session.scalars(
        select(DistributionRecipient)
        .where(DistributionRecipient.municipality_id == municipality.id)
        .options(selectinload(DistributionRecipient.user).selectinload(User.organisation))
    ).all()
    return sorted(entries, key=lambda e: (e.user is None, e.display_name.casefold(), e.address))


def receivers_of(
    session: Session, municipality: Municipality, document: Document
) -> list[DistributionRecipient]:
    """The entries that receive ``document``; users who were deactivated are left out."""
    return [
        entry
        for entry in recipients_of(session, municipality)
        if getattr(entry, document.value) and (entry.user is None or entry.user.active)
    ]


def eligible_users(session: Session, municipality: Municipality) -> list[User]:
    """Active users of the kommun (its coordinators and viewers, its partners' reporters) who
    are not on the list yet."""
    listed = select(DistributionRecipient.user_id).where(
        DistributionRecipient.municipality_id == municipality.id,
        DistributionRecipient.user_id.is_not(None),
    )
    partner_orgs = select(organisation_municipality.c.organisation_id).where(
        organisation_municipality.c.municipality_id == municipality.id
    )
    own_users = select(user_municipality.c.user_id).where(
        user_municipality.c.municipality_id == municipality.id
    )
    return list(
        session.scalars(
            select(User)
            .outerjoin(Organisation, User.organisation_id == Organisation.id)
            .where(
                User.active,
                User.role != Role.ADMIN,
                User.id.not_in(listed),
                or_(
                    (User.role == Role.REPORTER) & User.organisation_id.in_(partner_orgs),
                    (User.role != Role.REPORTER) & User.id.in_(own_users),
                ),
            )
            .order_by(User.name, User.email)
        )
    )


def _documents(documents: set[Document]) -> dict[str, bool]:
    if not documents:
        raise InvalidChange("documents", "Välj minst ett dokument.")
    return {document.value: document in documents for document in Document}


def add_user(
    session: Session,
    actor: User,
    municipality: Municipality,
    user_id: int | None,
    documents: set[Document],
    *,
    now: datetime,
) -> DistributionRecipient:
    flags = _documents(documents)
    user = next((u for u in eligible_users(session, municipality) if u.id == user_id), None)
    if user is None:
        raise InvalidChange(
            "user", "Välj en aktiv användare i kommunen som inte redan står på sändlistan."
        )
    entry = DistributionRecipient(municipality_id=municipality.id, user=user, **flags)
    session.add(entry)
    session.flush()
    _audit(session, actor, "distribution_recipient_added", entry, now=now)
    return entry


def add_external(
    session: Session,
    actor: User,
    municipality: Municipality,
    *,
    email: str,
    name: str,
    documents: set[Document],
    now: datetime,
) -> DistributionRecipient:
    try:
        address = normalise_recipient(email)
    except InvalidRecipient:
        raise InvalidChange(
            "email", "Skriv en giltig e-postadress, till exempel namn@exempel.se."
        ) from None
    flags = _documents(documents)
    taken = session.scalar(
        select(DistributionRecipient.id)
        .outerjoin(User, DistributionRecipient.user_id == User.id)
        .where(
            DistributionRecipient.municipality_id == municipality.id,
            or_(DistributionRecipient.email == address, User.email == address),
        )
    )
    if taken is not None:
        raise InvalidChange("email", "Adressen står redan på sändlistan.")
    entry = DistributionRecipient(
        municipality_id=municipality.id, email=address, name=name.strip() or None, **flags
    )
    session.add(entry)
    session.flush()
    _audit(session, actor, "distribution_recipient_added", entry, now=now)
    return entry


def find_entry(
    session: Session, municipality: Municipality, entry_id: int
) -> DistributionRecipient | None:
    entry = session.get(DistributionRecipient, entry_id)
    if entry is None or entry.municipality_id != municipality.id:
        return None
    return entry


def set_documents(
    session: Session,
    actor: User,
    entry: DistributionRecipient,
    documents: set[Document],
    *,
    now: datetime,
) -> bool:
    flags = _documents(documents)
    if all(getattr(entry, key) == value for key, value in flags.items()):
        return False
    for key, value in flags.items():
        setattr(entry, key, value)
    session.flush()
    _audit(session, actor, "distribution_recipient_changed", entry, now=now)
    return True


def remove(session: Session, actor: User, entry: DistributionRecipient, *, now: datetime) -> None:
    _audit(session, actor, "distribution_recipient_removed", entry, now=now)
    session.delete(entry)
    session.flush()


def _audit(
    session: Session, actor: User, action: str, entry: DistributionRecipient, *, now: datetime
) -> None:
    record(
        session,
        actor,
        action,
        "distribution_recipient",
        entry.id,
        municipality_id=entry.municipality_id,
        details={
            "recipient": entry.address,
            "documents": [d.value for d in Document if getattr(entry, d.value)],
        },
        now=now,
    )


@dataclass(frozen=True)
class DistributionSettings:
    trigger: DistributionTrigger
    mode: DistributionMode
    reminders_enabled: bool
    reminder_weekday: int
    reminder_time: time

    @classmethod
    def of(cls, municipality: Municipality) -> DistributionSettings:
        return cls(
            trigger=municipality.distribution_trigger,
            mode=municipality.distribution_mode,
            reminders_enabled=municipality.reminders_enabled,
            reminder_weekday=municipality.reminder_weekday,
            reminder_time=municipality.reminder_time,
        )


def set_distribution(
    session: Session,
    actor: User,
    municipality: Municipality,
    wanted: DistributionSettings,
    *,
    now: datetime,
) -> bool:
    """Change when and how the lägesbild goes out and when partners are reminded.

    Link-only mail needs the publish trigger: partners only see published versions in the app,
    so a link to a version that was just compiled would lead them nowhere.
    """
    if wanted.mode is DistributionMode.LINK and wanted.trigger is DistributionTrigger.COMPILE:
        raise InvalidChange(
            "mode",
            "En länk fungerar bara när lägesbilden skickas vid fastställandet, eftersom "
            "samverkansparterna bara ser fastställda lägesbilder i appen.",
        )
    before = DistributionSettings.of(municipality)
    if before == wanted:
        return False
    municipality.distribution_trigger = wanted.trigger
    municipality.distribution_mode = wanted.mode
    municipality.reminders_enabled = wanted.reminders_enabled
    municipality.reminder_weekday = wanted.reminder_weekday
    municipality.reminder_time = wanted.reminder_time
    session.flush()
    record(
        session,
        actor,
        "distribution_settings_changed",
        "municipality",
        municipality.id,
        municipality_id=municipality.id,
        details={"before": _describe(before), "after": _describe(wanted)},
        now=now,
    )
    return True


def _describe(settings: DistributionSettings) -> str:
    reminders = (
        f"påminnelse dag {settings.reminder_weekday} {settings.reminder_time:%H:%M}"
        if settings.reminders_enabled
        else "inga påminnelser"
    )
    return f"{settings.trigger.value}, {settings.mode.value}, {reminders}"
