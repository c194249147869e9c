"""Reminders to partners that have not reported their week, sent through the outbox.

For ISO week W a kommun's partners are reminded twice at most: the first reminder on the
kommun's reminder weekday and time in week W itself (default Friday 12:00), the last one on the
morning of the deadline day in week W+1. A reminder is only sent between its moment and the
deadline, and never to a partner whose report is submitted or "inget att rapportera".

Exactly once: a partner's reminder is claimed by inserting its ``Reminder`` row (unique per
kommun, partner, week and kind) in the same transaction that queues the mails, so a repeated run,
or a second scheduler, finds the row and does nothing.

The moments are pure functions in estapp.distribution.reminder_schedule; the job needs an app
context to render the mail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_datetime
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from estapp import audit
from estapp.config import Settings
from estapp.db import utcnow
from estapp.distribution.links import external_url
from estapp.distribution.mail_body import render_mail
from estapp.distribution.outbox import InvalidRecipient, queue_message
from estapp.distribution.reminder_schedule import ReminderMoments, due_reminders, swedish_moment
from estapp.models import (
    Municipality,
    Organisation,
    Reminder,
    ReminderKind,
    ReportStatus,
    Role,
    User,
    WeeklyReport,
)
from estapp.reporting.services import may_report
from estapp.weeks import IsoWeek

log = logging.getLogger(__name__)

KIND_NAMES = {ReminderKind.FIRST: "påminnelse", ReminderKind.LAST: "sista påminnelse"}
REPORTED = (ReportStatus.SUBMITTED, ReportStatus.NOTHING_TO_REPORT)  # a draft is not reported


# --- the mail --------------------------------------------------------------------------------


def document_key(municipality: Municipality, week: IsoWeek, kind: ReminderKind, org_id: int) -> str:
    return f"paminnelse:{municipality.slug}:{week}:{kind.value}:{org_id}"


def subject_for(municipality: Municipality, week: IsoWeek, kind: ReminderKind) -> str:
    prefix = "Sista påminnelse" if kind is ReminderKind.LAST else "Påminnelse"
    return f"{prefix}: veckorapport för vecka {week.week} till EST {municipality.name}"


def render_reminder(
    municipality: Municipality,
    organisation: Organisation,
    moments: ReminderMoments,
    kind: ReminderKind,
    *,
    settings: Settings,
) -> tuple[str, str]:
    """The plain-text and HTML bodies, in Swedish whatever the reader's language (needs an app
    context, not a request)."""
    tz = settings.tz
    context = {
        "kommun": municipality.name,
        "organisation": organisation.name,
        "week_label": moments.week.label(),
        "last": kind is ReminderKind.LAST,
        "deadline": swedish_moment(moments.deadline, tz),
        "deadline_clock": format_datetime(moments.deadline, "HH.mm", tzinfo=tz, locale="sv"),
        "link": external_url(
            settings.base_url,
            "reporting.week",
            kommun_slug=municipality.slug,
            week_text=str(moments.week),
        ),
    }
    return render_mail("mail/reminder", **context)


# --- the job ---------------------------------------------------------------------------------


@dataclass
class ReminderSummary:
    reminders: int = 0  # partners reminded in this run
    mails: int = 0  # mails queued for them

    def __str__(self) -> str:
        return f"{self.reminders} aktör(er) påminda, {self.mails} brev köade"


@dataclass(frozen=True)
class _Due:
    municipality_id: int
    moments: ReminderMoments
    kind: ReminderKind


class _NotSent(Exception):
    """Roll the claim back: another run sent it, or there is nothing (more) to send."""


# Partners without reporters are logged once per process and reminder, not every five minutes
# (the job never runs twice at once in a process, so a plain set will do).
_without_recipients: set[tuple[int, int, date, ReminderKind]] = set()


def _warn_without_recipients(
    municipality: Municipality, organisation: Organisation, due: _Due
) -> None:
    key = (municipality.id, organisation.id, due.moments.week.monday, due.kind)
    if key in _without_recipients:
        return
    if len(_without_recipients) > 10_000:
        _without_recipients.clear()
    _without_recipients.add(key)
    log.warning(
        "reminders %s %s: %r has not reported but has no active reporter to remind",
        municipality.slug,
        due.moments.week,
        organisation.name,
    )


def reporters_to_remind(
    session: Session, municipality: Municipality, organisation: Organisation
) -> list[User]:
    """The partner's active reporters who may report for the kommun."""
    users = session.scalars(
        select(User)
        .where(
            User.organisation_id == organisation.id,
            User.role == Role.REPORTER,
            User.active.is_(True),
        )
        .order_by(User.id)
    )
    return [user for user in users if may_report(user, municipality, organisation)]


def _is_reported(
    session: Session, municipality_id: int, organisation_id: int, week: IsoWeek
) -> bool:
    status = session.scalar(
        select(WeeklyReport.status).where(
            WeeklyReport.municipality_id == municipality_id,
            WeeklyReport.organisation_id == organisation_id,
            WeeklyReport.week_start == week.monday,
        )
    )
    return status in REPORTED


def _candidates(session: Session, due: _Due) -> list[int]:
    """Active partners of the kommun that have neither reported nor had this reminder."""
    week_start = due.moments.week.monday
    reported = select(WeeklyReport.organisation_id).where(
        WeeklyReport.municipality_id == due.municipality_id,
        WeeklyReport.week_start == week_start,
        WeeklyReport.status.in_(REPORTED),
    )
    reminded = select(Reminder.organisation_id).where(
        Reminder.municipality_id == due.municipality_id,
        Reminder.week_start == week_start,
        Reminder.kind == due.kind,
    )
    return list(
        session.scalars(
            select(Organisation.id)
            .where(
                Organisation.active.is_(True),
                Organisation.municipalities.any(Municipality.id == due.municipality_id),
                Organisation.id.not_in(reported),
                Organisation.id.not_in(reminded),
            )
            .order_by(Organisation.id)
        )
    )


def _remind(
    sessions: sessionmaker[Session],
    due: _Due,
    organisation_id: int,
    settings: Settings,
    *,
    now: datetime,
) -> int:
    """Claim and queue one partner's reminder; return the number of mails queued (0: none)."""
    week = due.moments.week
    session = sessions()
    try:
        with session.begin():
            # The claim first: on SQLite the write lock is taken before anything is read, and
            # on PostgreSQL a concurrent run waits here for ours and then finds the row.
            reminder = Reminder(
                municipality_id=due.municipality_id,
                organisation_id=organisation_id,
                week_start=week.monday,
                kind=due.kind,
                recipients=0,
                sent_at=now,
            )
            session.add(reminder)
            try:
                session.flush()
            except IntegrityError:
                raise _NotSent from None
            municipality = session.get(Municipality, due.municipality_id)
            organisation = session.get(Organisation, organisation_id)
            if (
                municipality is None
                or organisation is None
                or not organisation.active
                or not municipality.reminders_enabled
                or _is_reported(session, municipality.id, organisation_id, week)
            ):
                raise _NotSent
            users = reporters_to_remind(session, municipality, organisation)
            if not users:
                _warn_without_recipients(municipality, organisation, due)
                raise _NotSent
            text, html = render_reminder(
                municipality, organisation, due.moments, due.kind, settings=settings
            )
            key = document_key(municipality, week, due.kind, organisation_id)
            queued = 0
            for user in users:
                try:
                    queue_message(
                        session,
                        document_key=key,
                        recipient=user.email,
                        subject=subject_for(municipality, week, due.kind),
                        text=text,
                        html=html,
                        municipality=municipality,
                        settings=settings,
                        now=now,
                    )
                except InvalidRecipient as error:
                    log.warning("reminders %s %s: %s", municipality.slug, week, error)
                    continue
                queued += 1
            if not queued:
                raise _NotSent
            reminder.recipients = queued
            audit.record(
                session,
                None,
                "reminder_queued",
                "reminder",
                reminder.id,
                municipality_id=municipality.id,
                details={
                    "week": str(week),
                    "kind": KIND_NAMES[due.kind],
                    "organisation": organisation.name,
                    "recipients": queued,
                },
                now=now,
            )
        log.info(
            "reminders %s %s: %s reminder to %r, %s mail(s)",
            municipality.slug,
            week,
            due.kind.value,
            organisation.name,
            queued,
        )
        return queued
    except _NotSent:
        return 0
    finally:
        session.close()


def _due_in(sessions: sessionmaker[Session], settings: Settings, now: datetime) -> list[_Due]:
    with sessions() as session:
        kommuner = session.scalars(
            select(Municipality)
            .where(Municipality.reminders_enabled.is_(True))
            .order_by(Municipality.id)
        ).all()
        return [
            _Due(municipality.id, moments, kind)
            for municipality in kommuner
            for moments, kind in due_reminders(
                now,
                settings.tz,
                reminder_weekday=municipality.reminder_weekday,
                reminder_time=municipality.reminder_time,
                deadline_weekday=municipality.deadline_weekday,
                deadline_time=municipality.deadline_time,
            )
        ]


def send_reminders(
    sessions: sessionmaker[Session], settings: Settings, *, now: datetime
) -> ReminderSummary:
    """Queue every reminder due at ``now``, each partner in its own transaction."""
    summary = ReminderSummary()
    for due in _due_in(sessions, settings, now):
        try:
            with sessions() as session:
                candidates = _candidates(session, due)
            for organisation_id in candidates:
                mails = _remind(sessions, due, organisation_id, settings, now=now)
                if mails:
                    summary.reminders += 1
                    summary.mails += mails
        except Exception:  # one kommun's failure must not keep the others' reminders back
            log.exception(
                "reminders: failed for kommun %s, %s", due.municipality_id, due.moments.week
            )
    return summary


def reminders_job(
    sessions: sessionmaker[Session], settings: Settings, *, now: datetime | None = None
) -> ReminderSummary | None:
    """The scheduled job: queue the due reminders; a failure is logged, never raised.

    Needs an app context (the scheduler provides one). Safe to run from two schedulers at once.
    """
    try:
        summary = send_reminders(sessions, settings, now=now or utcnow())
    except Exception:
        log.exception("reminders: failed")
        return None
    if summary.reminders:
        log.info("reminders: %s", summary)
    return summary
