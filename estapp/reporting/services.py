"""Weekly reporting operations: take the session and ``now``, flush, never commit."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from estapp.audit import record
from estapp.models import (
    Area,
    Category,
    Concern,
    Municipality,
    Observation,
    ObservationDraft,
    Organisation,
    Place,
    ReportStatus,
    Role,
    TimeOfDay,
    User,
    WeeklyReport,
)
from estapp.reporting import privacy
from estapp.reporting.domain import (
    MAX_DESCRIPTION_LENGTH,
    MAX_OCCURRENCES,
    deadline_for,
    time_of_day_for,
)
from estapp.retention.services import first_kept_for, months_for
from estapp.weeks import IsoWeek


@dataclass(frozen=True)
class ObservationInput:
    """An observation as the reporter typed it, already shaped by the form."""

    occurred_on: date
    time_of_day: TimeOfDay | None
    exact_time: time | None
    area_id: int
    place_id: int | None
    other_place: str | None
    category_id: int
    description: str
    occurrences: int
    concern: Concern
    accept_name_warning: bool = False


@dataclass
class ObservationRejected(Exception):
    """The input breaks a rule; ``errors`` maps form field names to Swedish messages."""

    errors: dict[str, str]
    findings: list[privacy.Finding] = field(default_factory=list)


class ReportingRefused(Exception):
    """The action is not possible in the report's state; the message says why in Swedish."""


def week_of(report: WeeklyReport) -> IsoWeek:
    return IsoWeek.of(report.week_start)


def report_deadline(municipality: Municipality, week: IsoWeek, tz: ZoneInfo) -> datetime:
    return deadline_for(week, municipality.deadline_weekday, municipality.deadline_time, tz)


def may_report(user: User, municipality: Municipality, organisation: Organisation) -> bool:
    """Reporters report for their own organisation, in the kommuner it takes part in."""
    return (
        user.role == Role.REPORTER
        and user.organisation_id == organisation.id
        and organisation.active
        and municipality in organisation.municipalities
    )


def find_report(
    session: Session, municipality: Municipality, organisation: Organisation, week: IsoWeek
) -> WeeklyReport | None:
    return session.scalar(
        select(WeeklyReport).where(
            WeeklyReport.municipality_id == municipality.id,
            WeeklyReport.organisation_id == organisation.id,
            WeeklyReport.week_start == week.monday,
        )
    )


def open_report(
    session: Session,
    municipality: Municipality,
    organisation: Organisation,
    week: IsoWeek,
    *,
    now: datetime,
) -> WeeklyReport:
    """Return the week's report, creating an empty draft the first time it is needed."""
    report = find_report(session, municipality, organisation, week)
    if report is None:
        report = WeeklyReport(
            municipality=municipality,
            organisation=organisation,
            week_start=week.monday,
            status=ReportStatus.DRAFT,
            created_at=now,
            updated_at=now,
        )
        session.add(report)
        session.flush()
    return report


def too_old_to_keep(category: Category, week: IsoWeek, *, today: date) -> str | None:
    """Why an observation of this category cannot go into the week, if gallring would delete
    it the next night; None if the week is kept."""
    first_kept = first_kept_for(category, today=today)
    if week >= first_kept:
        return None
    if category.retention_months is None:
        return _(
            "Veckan %(week)s är äldre än kommunens gallringsfrist (%(months)s månader) och kan "
            "inte läggas in. Händelser sparas från och med %(first)s.",
            week=str(week),
            months=months_for(category),
            first=str(first_kept),
        )
    return _(
        "Veckan %(week)s är äldre än gallringsfristen för %(category)s (%(months)s månader) och "
        "kan inte läggas in. Sådana händelser sparas från och med %(first)s.",
        week=str(week),
        category=category.name,
        months=months_for(category),
        first=str(first_kept),
    )


def check_observation(
    session: Session, report: WeeklyReport, data: ObservationInput, *, today: date | None = None
) -> list[privacy.Finding]:
    """Apply the domain rules; raise ObservationRejected, or return name warnings accepted.

    With ``today``, a week that gallring has already passed is refused too."""
    errors: dict[str, str] = {}
    week = week_of(report)
    if not week.contains(data.occurred_on):
        errors["occurred_on"] = (
            f"Datumet måste ligga i {week.label()} ({week.monday:%Y-%m-%d}–{week.sunday:%Y-%m-%d})."
        )
    area = session.get(Area, data.area_id)
    if area is None or area.municipality_id != report.municipality_id:
        errors["area_id"] = "Välj ett område i kommunen."
    if data.place_id is not None:
        place = session.get(Place, data.place_id)
        if place is None or area is None or place.area_id != area.id:
            errors["place_id"] = "Platsen ligger inte i det valda området. Välj en plats i området."
    elif not (data.other_place or "").strip():
        errors["other_place"] = "Välj en plats, eller beskriv kort var det hände."
    category = session.get(Category, data.category_id)
    if category is None or category.municipality_id != report.municipality_id:
        errors["category_id"] = "Välj en händelsetyp från listan."
    elif not category.active:
        errors["category_id"] = "Händelsetypen används inte längre. Välj en annan."
    elif today is not None and (too_old := too_old_to_keep(category, week, today=today)):
        errors.setdefault("occurred_on", too_old)
    if data.time_of_day is None and data.exact_time is None:
        errors["time_of_day"] = "Välj tid på dygnet eller ange en exakt tid."
    if not 1 <= data.occurrences <= MAX_OCCURRENCES:
        errors["occurrences"] = f"Ange antal som ett heltal från 1 till {MAX_OCCURRENCES}."
    if not data.description.strip():
        errors["description"] = "Beskriv kort vad som hände."
    elif len(data.description) > MAX_DESCRIPTION_LENGTH:
        errors["description"] = (
            f"Beskrivningen får vara högst {MAX_DESCRIPTION_LENGTH} tecken "
            f"(den är {len(data.description)})."
        )

    findings = privacy.check_text(data.description)
    place_findings = privacy.check_text(data.other_place or "") if data.place_id is None else []
    if privacy.blocking(place_findings):
        errors["other_place"] = " ".join(f.message for f in privacy.blocking(place_findings))
    name_warning = (
        "Texten verkar innehålla ett namn på en person. EST-rapporter beskriver platser och "
        "händelser, inte personer. Ta bort namnet, eller bekräfta att det inte är en person."
    )
    if privacy.blocking(findings):
        errors["description"] = " ".join(f.message for f in privacy.blocking(findings))
    elif not data.accept_name_warning:
        if privacy.warnings(findings):
            errors.setdefault("description", name_warning)
        elif privacy.warnings(place_findings):
            errors.setdefault("other_place", name_warning)
    if errors:
        raise ObservationRejected(errors, findings)
    return findings


def _apply(observation: Observation, data: ObservationInput) -> None:
    observation.occurred_on = data.occurred_on
    observation.exact_time = data.exact_time
    observation.time_of_day = (
        time_of_day_for(data.exact_time) if data.exact_time else data.time_of_day
    )  # type: ignore[assignment]
    observation.area_id = data.area_id
    observation.place_id = data.place_id
    observation.other_place = None if data.place_id else (data.other_place or "").strip()
    observation.category_id = data.category_id
    observation.description = data.description.strip()
    observation.occurrences = data.occurrences
    observation.concern = data.concern


def _touch(report: WeeklyReport, *, late: bool, now: datetime) -> None:
    report.updated_at = now
    report.revision += 1
    if late and report.status == ReportStatus.DRAFT:
        report.late = True


def save_observation(
    session: Session,
    actor: User,
    report: WeeklyReport,
    data: ObservationInput,
    *,
    observation: Observation | None = None,
    deadline: datetime,
    now: datetime,
) -> Observation:
    """Add or change an observation after the rules pass; after the deadline it is marked late."""
    # The deadline is in the kommun's local time, so its zone gives the local day that
    # gallring counts from.
    check_observation(session, report, data, today=now.astimezone(deadline.tzinfo).date())
    if report.status == ReportStatus.NOTHING_TO_REPORT:
        report.status = ReportStatus.SUBMITTED  # an event after all: the report now has content
    created = observation is None
    if observation is None:
        observation = Observation(
            report=report,
            municipality_id=report.municipality_id,
            organisation_id=report.organisation_id,
            week_start=report.week_start,
            created_by_id=actor.id,
            created_at=now,
        )
        session.add(observation)
    _apply(observation, data)
    observation.updated_at = now
    observation.late = observation.late or now > deadline
    _touch(report, late=now > deadline, now=now)
    discard_draft(session, actor, report, observation.id if not created else None)
    session.flush()
    record(
        session,
        actor,
        "observation_created" if created else "observation_updated",
        "observation",
        observation.id,
        municipality_id=report.municipality_id,
        details={"report_id": report.id, "late": observation.late},
        now=now,
    )
    return observation


def remove_observation(
    session: Session, actor: User, observation: Observation, *, deadline: datetime, now: datetime
) -> None:
    report = observation.report
    record(
        session,
        actor,
        "observation_deleted",
        "observation",
        observation.id,
        municipality_id=report.municipality_id,
        details={"report_id": report.id},
        now=now,
    )
    report.observations.remove(observation)
    _touch(report, late=now > deadline, now=now)
    session.flush()


def submit_report(
    session: Session,
    actor: User,
    report: WeeklyReport,
    *,
    nothing_to_report: bool,
    expected_revision: int | None,
    deadline: datetime,
    now: datetime,
) -> WeeklyReport:
    """Submit the week (or 'inget att rapportera'); a submission after the deadline is late.

    Sending the same submission again (a double click, a reload) changes nothing.
    """
    if is_already_submitted(report, nothing_to_report=nothing_to_report):
        return report
    if expected_revision is not None and expected_revision != report.revision:
        raise ReportingRefused(
            "Rapporten har ändrats sedan du öppnade sidan. Kontrollera händelserna och skicka igen."
        )
    if nothing_to_report and report.observations:
        raise ReportingRefused(
            "Veckan har händelser. Ta bort dem först om det verkligen inte finns något att "
            "rapportera, eller skicka in veckan med händelserna."
        )
    if not nothing_to_report and not report.observations:
        raise ReportingRefused(
            "Veckan har inga händelser. Lägg till händelser, eller välj 'Inget att rapportera'."
        )
    first_submission = report.submitted_at is None
    report.status = ReportStatus.NOTHING_TO_REPORT if nothing_to_report else ReportStatus.SUBMITTED
    report.submitted_at = now
    report.submitted_by_id = actor.id
    if first_submission:
        report.late = now > deadline
    report.updated_at = now
    report.revision += 1
    session.flush()
    record(
        session,
        actor,
        "report_submitted",
        "weekly_report",
        report.id,
        municipality_id=report.municipality_id,
        details={"status": report.status.value, "late": report.late},
        now=now,
    )
    return report


def is_already_submitted(report: WeeklyReport, *, nothing_to_report: bool) -> bool:
    """The report was submitted in this state and has not changed since."""
    wanted = ReportStatus.NOTHING_TO_REPORT if nothing_to_report else ReportStatus.SUBMITTED
    return (
        report.status == wanted
        and report.submitted_at is not None
        and report.updated_at == report.submitted_at
    )


def load_draft(
    session: Session, user: User, report: WeeklyReport, observation_id: int | None
) -> dict[str, str] | None:
    """The form values the user left unsaved, if any."""
    draft = _find_draft(session, user, report, observation_id)
    return json.loads(draft.fields) if draft else None


def draft_saved_at(
    session: Session, user: User, report: WeeklyReport, observation_id: int | None
) -> datetime | None:
    """When the unsaved form values were last kept, if there are any."""
    draft = _find_draft(session, user, report, observation_id)
    return draft.saved_at if draft else None


def _find_draft(
    session: Session, user: User, report: WeeklyReport, observation_id: int | None
) -> ObservationDraft | None:
    query = select(ObservationDraft).where(
        ObservationDraft.user_id == user.id, ObservationDraft.report_id == report.id
    )
    if observation_id is None:
        query = query.where(ObservationDraft.observation_id.is_(None))
    else:
        query = query.where(ObservationDraft.observation_id == observation_id)
    return session.scalars(query).first()


DRAFT_FIELDS = (
    "occurred_on",
    "time_of_day",
    "exact_time",
    "area_id",
    "place_id",
    "other_place",
    "category_id",
    "description",
    "occurrences",
    "concern",
)


def keep_draft(
    session: Session,
    user: User,
    report: WeeklyReport,
    observation_id: int | None,
    values: dict[str, str],
    *,
    now: datetime,
) -> None:
    """Remember what was typed, so nothing is lost to a closed tab or a logout."""
    fields = {name: str(values.get(name, ""))[:5000] for name in DRAFT_FIELDS}
    draft = _find_draft(session, user, report, observation_id)
    if draft is None:
        draft = ObservationDraft(
            user_id=user.id, report_id=report.id, observation_id=observation_id
        )
        session.add(draft)
    draft.fields = json.dumps(fields, ensure_ascii=False)
    draft.saved_at = now
    session.flush()


def discard_draft(
    session: Session, user: User, report: WeeklyReport, observation_id: int | None
) -> None:
    draft = _find_draft(session, user, report, observation_id)
    if draft is not None:
        session.delete(draft)
