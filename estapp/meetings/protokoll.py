"""The locked protokoll: a PDF rendered with WeasyPrint from plain data, mailed to the kommun's
distribution list entries that receive the protokoll, through the outbox, in the transaction
that locks it (a rollback queues nothing).

Like the lägesbild's PDF it loads only the shipped fonts, and it is always Swedish.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, render_template
from sqlalchemy.orm import Session

from estapp.config import Settings
from estapp.distribution.links import external_url
from estapp.distribution.list_mail import ListMail, not_yet_sent, queue_to_list
from estapp.distribution.mail_body import render_mail
from estapp.distribution.outbox import Attachment
from estapp.distribution.recipients import Document
from estapp.lagesbild.pdf import RenderedPdf, html_to_pdf, swedish_date
from estapp.meetings import agenda, services
from estapp.meetings.domain import STATUS_NAMES, swedish_day
from estapp.models import Meeting, Municipality, User
from estapp.weeks import IsoWeek


def document_key(municipality: Municipality, meeting: Meeting) -> str:
    return f"protokoll:{municipality.slug}:{IsoWeek.of(meeting.week_start)}"


def file_name(municipality: Municipality, meeting: Meeting) -> str:
    """protokoll-ekbacka-2026-W47.pdf"""
    return f"protokoll-{municipality.slug}-{IsoWeek.of(meeting.week_start)}.pdf"


def protokoll_data(
    session: Session, municipality: Municipality, meeting: Meeting, *, settings: Settings
) -> dict[str, Any]:
    """Everything the PDF shows, as plain data."""
    happened = agenda.minutes_input(session, municipality, meeting)
    return {
        "kommun": municipality.name,
        "week_label": happened.week_label,
        "held_on": swedish_day(meeting.held_on),
        "locked": meeting.is_locked,
        "locked_on": swedish_date(meeting.locked_at, settings.tz) if meeting.locked_at else "",
        "locked_by": meeting.locked_by.name if meeting.locked_by else "",
        "marking": settings.pdf_marking,
        "attendees": list(happened.attendees),
        "minutes": meeting.minutes,
        "decisions": meeting.decisions,
        "decided": [
            {
                "text": item.text,
                "owner": f"{item.owner} ({item.person})" if item.person else item.owner,
                "due_on": swedish_day(item.due_on),
                "commitment": item.commitment,
            }
            for item in happened.decided
        ],
        "followed_up": [
            {
                "text": item.text,
                "owner": item.owner,
                "status": STATUS_NAMES[item.new_status],
                "note": item.note,
            }
            for item in happened.followed_up
        ],
        "focus_places": list(happened.focus_places),
    }


def render_protokoll(
    session: Session, municipality: Municipality, meeting: Meeting, *, settings: Settings
) -> RenderedPdf:
    """The protokoll as a PDF; call inside an app context (the templates are Flask's)."""
    data = protokoll_data(session, municipality, meeting, settings=settings)
    return html_to_pdf(render_template("meetings/pdf/protokoll.html", pdf=data))


def queue_protokoll(
    session: Session,
    municipality: Municipality,
    meeting: Meeting,
    *,
    settings: Settings,
    now: datetime,
) -> int:
    """Queue the locked protokoll for the list's receivers who have not had it; return how many."""
    key = document_key(municipality, meeting)
    pending = not_yet_sent(session, municipality, key, Document.PROTOKOLL)
    if not pending:
        return 0
    rendered = render_protokoll(session, municipality, meeting, settings=settings)
    week = IsoWeek.of(meeting.week_start)
    context = {
        "kommun": municipality.name,
        "week_label": week.label(),
        "held_on": swedish_day(meeting.held_on),
        "marking": settings.pdf_marking,
        "link": external_url(
            settings.base_url, "meetings.meeting", kommun_slug=municipality.slug, week=str(week)
        ),
    }
    text, html = render_mail("meetings/mail/protokoll", **context)
    mail = ListMail(
        key=key,
        subject=f"Protokoll från EST-mötet i {municipality.name}, {swedish_day(meeting.held_on)}",
        text=text,
        html=html,
        attachment=Attachment(
            filename=file_name(municipality, meeting),
            content_type="application/pdf",
            data=rendered.data,
        ),
    )
    return queue_to_list(session, municipality, pending, mail, settings=settings, now=now)


def lock_and_send(
    session: Session,
    actor: User | None,
    municipality: Municipality,
    meeting: Meeting,
    *,
    now: datetime,
    settings: Settings | None = None,
) -> int:
    """Lock the minutes and queue the protokoll PDF to the list; return how many mails."""
    settings = settings or current_app.config["SETTINGS"]
    draft = agenda.minutes_draft(session, municipality, meeting)
    services.lock_meeting(session, actor, meeting, draft=draft, now=now)
    session.flush()
    return queue_protokoll(session, municipality, meeting, settings=settings, now=now)
