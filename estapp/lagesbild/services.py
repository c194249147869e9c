"""Lägesbild operations: compile, write the assessment, publish, compare. Flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from estapp.audit import record
from estapp.lagesbild.queries import BASELINE_WEEKS, TREND_WEEKS, build_payload, payload_hash
from estapp.models import (
    Area,
    CompileReason,
    Municipality,
    PictureStatus,
    Place,
    SituationPicture,
    User,
)
from estapp.retention.services import first_complete_week
from estapp.weeks import IsoWeek

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MAX_TEXT_LENGTH = 5000


class PictureRefused(Exception):
    """The operation is not possible; the message says why, in Swedish."""


def check_week_not_future(week: IsoWeek, *, now: datetime, tz: ZoneInfo = STOCKHOLM) -> None:
    current = IsoWeek.containing(now, tz)
    if week > current:
        raise PictureRefused(
            f"{week.label().capitalize()} har inte börjat än; "
            f"en lägesbild kan sammanställas för {current.label()} eller tidigare."
        )


def check_history_kept(
    municipality: Municipality, week: IsoWeek, *, now: datetime, tz: ZoneInfo = STOCKHOLM
) -> None:
    """Refuse a week whose figures (trend, baseline, same week last year) would read weeks the
    gallring has emptied: the picture would silently show zeros. Stored versions still show."""
    oldest = min(week.shift(-(TREND_WEEKS - 1)), week.shift(-BASELINE_WEEKS))
    oldest = min(oldest, week.same_week_last_year() or oldest)
    kept = first_complete_week(municipality, today=now.astimezone(tz).date())
    if oldest < kept:
        raise PictureRefused(
            f"{week.label().capitalize()} kan inte sammanställas på nytt: lägesbilden jämför "
            f"med veckorna tillbaka till {oldest.label()}, men händelserna före "
            f"{kept.label()} gallras enligt kommunens gallringsfrist. Den lägesbild som redan "
            "är sammanställd för veckan finns kvar och gäller."
        )


def versions_of(
    session: Session, municipality: Municipality, week: IsoWeek
) -> list[SituationPicture]:
    """Every version of the week's lägesbild, newest first."""
    return list(
        session.scalars(
            select(SituationPicture)
            .where(
                SituationPicture.municipality_id == municipality.id,
                SituationPicture.week_start == week.monday,
            )
            .order_by(SituationPicture.version.desc())
        )
    )


def latest_version(
    session: Session, municipality: Municipality, week: IsoWeek, *, published_only: bool = False
) -> SituationPicture | None:
    query = select(SituationPicture).where(
        SituationPicture.municipality_id == municipality.id,
        SituationPicture.week_start == week.monday,
    )
    if published_only:
        query = query.where(SituationPicture.status == PictureStatus.PUBLISHED)
    return session.scalar(query.order_by(SituationPicture.version.desc()).limit(1))


def latest_week(
    session: Session, municipality: Municipality, *, published_only: bool = False
) -> IsoWeek | None:
    """The latest week that has a lägesbild (a published one, if asked)."""
    query = select(func.max(SituationPicture.week_start)).where(
        SituationPicture.municipality_id == municipality.id
    )
    if published_only:
        query = query.where(SituationPicture.status == PictureStatus.PUBLISHED)
    latest = session.scalar(query)
    return IsoWeek.of(latest) if latest else None


def compile_picture(
    session: Session,
    municipality: Municipality,
    week: IsoWeek,
    *,
    reason: CompileReason,
    actor: User | None,
    now: datetime,
    tz: ZoneInfo = STOCKHOLM,
) -> tuple[SituationPicture, bool]:
    """Compile the week; a new version only when the figures changed (or there is none yet).

    A published version is never touched: changed figures after publishing make a new draft,
    which takes over the coordinator's texts so nothing written is lost.
    """
    check_week_not_future(week, now=now, tz=tz)
    check_history_kept(municipality, week, now=now, tz=tz)
    payload = build_payload(session, municipality, week)
    fingerprint = payload_hash(payload)
    latest = latest_version(session, municipality, week)
    if latest is not None and latest.payload_hash == fingerprint:
        return latest, False
    picture = SituationPicture(
        municipality_id=municipality.id,
        week_start=week.monday,
        version=(latest.version + 1) if latest else 1,
        status=PictureStatus.DRAFT,
        payload=payload,
        payload_hash=fingerprint,
        compiled_at=now,
        reason=reason,
        compiled_by_id=actor.id if actor else None,
        assessment=latest.assessment if latest else "",
        notable_events=latest.notable_events if latest else "",
        focus_place_ids=list(latest.focus_place_ids) if latest else [],
    )
    session.add(picture)
    session.flush()
    record(
        session,
        actor,
        "situation_picture_compiled",
        "situation_picture",
        picture.id,
        municipality_id=municipality.id,
        details={
            "week": str(week),
            "version": picture.version,
            "reason": reason.value,
            "total": payload["total"],
        },
        now=now,
    )
    return picture, True


def _check_latest_draft(session: Session, picture: SituationPicture) -> None:
    if picture.is_published:
        raise PictureRefused(
            f"Version {picture.version} är fastställd och kan inte ändras. "
            "Sammanställ veckan på nytt för att få en ny version."
        )
    newest = session.scalar(
        select(func.max(SituationPicture.version)).where(
            SituationPicture.municipality_id == picture.municipality_id,
            SituationPicture.week_start == picture.week_start,
        )
    )
    if newest is not None and newest > picture.version:
        raise PictureRefused(
            f"En nyare version finns (version {newest}); öppna den och arbeta vidare där."
        )


def save_assessment(
    session: Session,
    picture: SituationPicture,
    *,
    assessment: str,
    notable_events: str,
    focus_place_ids: list[int],
    actor: User | None,
    now: datetime,
) -> SituationPicture:
    """Store the coordinator's assessment, notable events and next week's focus places."""
    _check_latest_draft(session, picture)
    assessment, notable_events = assessment.strip(), notable_events.strip()
    if len(assessment) > MAX_TEXT_LENGTH or len(notable_events) > MAX_TEXT_LENGTH:
        raise PictureRefused(f"Texten får vara högst {MAX_TEXT_LENGTH} tecken.")
    wanted = sorted(set(focus_place_ids))
    if wanted:
        known = set(
            session.scalars(
                select(Place.id)
                .join(Area)
                .where(Place.id.in_(wanted), Area.municipality_id == picture.municipality_id)
            )
        )
        if known != set(wanted):
            raise PictureRefused("Välj fokusplatser bland kommunens platser.")
    picture.assessment = assessment
    picture.notable_events = notable_events
    picture.focus_place_ids = wanted
    session.flush()
    record(
        session,
        actor,
        "situation_picture_assessed",
        "situation_picture",
        picture.id,
        municipality_id=picture.municipality_id,
        details={"version": picture.version, "focus_places": wanted},
        now=now,
    )
    return picture


def publish_picture(
    session: Session, picture: SituationPicture, *, actor: User | None, now: datetime
) -> SituationPicture:
    """Fastställ the version: from now on it never changes and partners can see it."""
    _check_latest_draft(session, picture)
    picture.status = PictureStatus.PUBLISHED
    picture.published_at = now
    picture.published_by_id = actor.id if actor else None
    session.flush()
    record(
        session,
        actor,
        "situation_picture_published",
        "situation_picture",
        picture.id,
        municipality_id=picture.municipality_id,
        details={"week": str(IsoWeek.of(picture.week_start)), "version": picture.version},
        now=now,
    )
    return picture


@dataclass(frozen=True)
class Difference:
    label: str
    before: Any
    after: Any


def _counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {row["label"]: row["count"] for row in rows}


def _flagged(payload: dict[str, Any]) -> str:
    flagged = [row["label"] for row in payload["by_category"] if row["deviation"] != "normal"]
    return ", ".join(sorted(flagged)) or "–"


def compare_versions(older: SituationPicture, newer: SituationPicture) -> list[Difference]:
    """The key figures that differ between two versions, in reading order."""
    a, b = older.payload, newer.payload
    pairs: list[tuple[str, Any, Any]] = [
        ("Händelser totalt", a["total"], b["total"]),
        ("Rapporterade iakttagelser", a["observations"], b["observations"]),
        (
            "Aktörer som rapporterat",
            a["participation"]["reported"] + a["participation"]["nothing_to_report"],
            b["participation"]["reported"] + b["participation"]["nothing_to_report"],
        ),
        ("Ovanliga förändringar", _flagged(a), _flagged(b)),
    ]
    for prefix, key in (("Händelsetyp", "by_category"), ("Område", "by_area")):
        before, after = _counts(a[key]), _counts(b[key])
        for label in sorted(before.keys() | after.keys()):
            pairs.append((f"{prefix}: {label}", before.get(label, 0), after.get(label, 0)))
    for label in ("assessment", "notable_events"):
        if getattr(older, label) != getattr(newer, label):
            name = "Bedömning" if label == "assessment" else "Särskilda händelser"
            pairs.append((name, "tidigare text", "ny text"))
    return [Difference(label, x, y) for label, x, y in pairs if x != y]
