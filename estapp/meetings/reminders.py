"""Reminders to an action's owner: once when it is due within a few days, once when overdue.

The mail goes to the owner person, or, without one, to the owner organisation's active
reporters, through the outbox. Exactly once: the reminder is claimed by inserting its
``ActionReminder`` row (unique per action and kind) in the transaction that queues the mails, so
a repeated run, or a second scheduler, finds the row and does nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from estapp import audit
from estapp.config import Settings
from estapp.db import utcnow
from estapp.distribution.links import external_url
from estapp.distribution.mail_body import render_mail
from estapp.distribution.outbox import InvalidRecipient, queue_message
from estapp.meetings.domain import DUE_SOON_DAYS, due_soon, swedish_day
from estapp.models import (
    OPEN_STATUSES,
    Action,
    ActionReminder,
    ActionReminderKind,
    Role,
    User,
)

log = logging.getLogger(__name__)


def kind_due(action: Action, today: date) -> ActionReminderKind | None:
    """Which reminder an open action is due for today, if any."""
    if action.due_on < today:
        return ActionReminderKind.OVERDUE
    if due_soon(action.due_on, today=today):
        return ActionReminderKind.DUE_SOON
    return None


def document_key(action: Action, kind: ActionReminderKind) -> str:
    return f"atgard:{action.id}:{kind.value}"


def receivers(session: Session, action: Action) -> list[User]:
    """The owner person if active, else the owner organisation's active reporters."""
    if action.owner_user is not None and action.owner_user.active:
        return [action.owner_user]
    return list(
        session.scalars(
            select(User)
            .where(
                User.organisation_id == action.owner_organisation_id,
                User.role == Role.REPORTER,
                User.active.is_(True),
            )
            .order_by(User.id)
        )
    )


def render_reminder(
    action: Action, kind: ActionReminderKind, *, settings: Settings, today: date
) -> tuple[str, str, str]:
    """Subject, plain text and HTML, in Swedish (needs an app context, not a request)."""
    overdue = kind is ActionReminderKind.OVERDUE
    context = {
        "kommun": action.municipality.name,
        "organisation": action.owner_organisation.name,
        "text": action.text,
        "due_on": swedish_day(action.due_on),
        "overdue": overdue,
        "days_left": (action.due_on - today).days,
        "commitment": action.commitment.text if action.commitment else "",
        "link": external_url(settings.base_url, "meetings.my_actions"),
    }
    text, html = render_mail("meetings/mail/action_reminder", **context)
    prefix = "Försenad åtgärd" if overdue else "Åtgärd att slutföra"
    subject = f"{prefix} i EST {action.municipality.name}: klart senast {context['due_on']}"
    return subject, text, html


@dataclass
class ActionReminderSummary:
    reminders: int = 0
    mails: int = 0

    def __str__(self) -> str:
        return f"{self.reminders} åtgärdspåminnelse(r), {self.mails} brev köade"


class _NotSent(Exception):
    """Roll the claim back: another run sent it, or there is no one to send it to."""


def _candidates(
    sessions: sessionmaker[Session], today: date
) -> list[tuple[int, ActionReminderKind]]:
    with sessions() as session:
        actions = session.scalars(
            select(Action)
            .where(
                Action.status.in_(OPEN_STATUSES),
                Action.due_on <= today + timedelta(days=DUE_SOON_DAYS),
            )
            .order_by(Action.id)
        ).all()
        sent = {
            (row.action_id, row.kind)
            for row in session.execute(
                select(ActionReminder.action_id, ActionReminder.kind).where(
                    ActionReminder.action_id.in_([a.id for a in actions])
                )
            )
        }
        wanted = [(action.id, kind_due(action, today)) for action in actions]
        return [(i, kind) for i, kind in wanted if kind is not None and (i, kind) not in sent]


def _remind(
    sessions: sessionmaker[Session],
    action_id: int,
    kind: ActionReminderKind,
    settings: Settings,
    *,
    today: date,
    now: datetime,
) -> int:
    """Claim and queue one action's reminder; return the number of mails queued (0: none)."""
    session = sessions()
    try:
        with session.begin():
            claim = ActionReminder(action_id=action_id, kind=kind, recipients=0, sent_at=now)
            session.add(claim)
            try:
                session.flush()  # the claim first, as estapp.distribution.reminders does
            except IntegrityError:
                raise _NotSent from None
            action = session.get(Action, action_id)
            if action is None or not action.is_open or kind_due(action, today) is not kind:
                raise _NotSent
            subject, text, html = render_reminder(action, kind, settings=settings, today=today)
            queued = 0
            for user in receivers(session, action):
                try:
                    queue_message(
                        session,
                        document_key=document_key(action, kind),
                        recipient=user.email,
                        subject=subject,
                        text=text,
                        html=html,
                        municipality=action.municipality,
                        settings=settings,
                        now=now,
                    )
                except InvalidRecipient as error:
                    log.warning("action reminders: action %s: %s", action_id, error)
                    continue
                queued += 1
            if not queued:
                log.warning("action reminders: action %s has no one to remind", action_id)
                raise _NotSent
            claim.recipients = queued
            audit.record(
                session,
                None,
                "action_reminder_queued",
                "action",
                action.id,
                municipality_id=action.municipality_id,
                details={"kind": kind.value, "recipients": queued},
                now=now,
            )
        return queued
    except _NotSent:
        return 0
    finally:
        session.close()


def send_action_reminders(
    sessions: sessionmaker[Session], settings: Settings, *, now: datetime
) -> ActionReminderSummary:
    """Queue every action reminder due at ``now``, each in its own transaction."""
    today = now.astimezone(settings.tz).date()
    summary = ActionReminderSummary()
    for action_id, kind in _candidates(sessions, today):
        try:
            mails = _remind(sessions, action_id, kind, settings, today=today, now=now)
        except Exception:  # one action's failure must not keep the others' reminders back
            log.exception("action reminders: failed for action %s", action_id)
            continue
        if mails:
            summary.reminders += 1
            summary.mails += mails
    return summary


def action_reminders_job(
    sessions: sessionmaker[Session], settings: Settings, *, now: datetime | None = None
) -> ActionReminderSummary | None:
    """The scheduled job: a failure is logged, never raised. Needs an app context."""
    try:
        summary = send_action_reminders(sessions, settings, now=now or utcnow())
    except Exception:
        log.exception("action reminders: failed")
        return None
    if summary.reminders:
        log.info("action reminders: %s", summary)
    return summary
