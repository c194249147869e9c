"""Send the week's lägesbild to the kommun's distribution list, through the outbox.

The mails are queued in the caller's transaction: when the publish (or the scheduled compile)
commits, so do they, and when it rolls back, nothing is queued. The document key names the
kommun, week and version, so a version goes to an address once, whatever triggers it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from estapp.config import Settings
from estapp.distribution.links import external_url
from estapp.distribution.list_mail import ListMail, not_yet_sent, queue_to_list
from estapp.distribution.mail_body import render_mail
from estapp.distribution.outbox import Attachment
from estapp.lagesbild import pdf
from estapp.models import (
    DistributionMode,
    DistributionTrigger,
    Municipality,
    OutboxMessage,
    OutboxStatus,
    SituationPicture,
)
from estapp.weeks import IsoWeek


def document_key(municipality: Municipality, picture: SituationPicture) -> str:
    return f"lagesbild:{municipality.slug}:{IsoWeek.of(picture.week_start)}:v{picture.version}"


@dataclass(frozen=True)
class Delivery:
    """How the mail of one version stands, for the coordinator's lägesbild page."""

    sent: int
    waiting: int
    failed: int
    not_yet_sent: int  # receivers on the list without this version (e.g. added later)
    may_send: bool  # the kommun's rule lets this version go out now

    @property
    def any(self) -> bool:
        return bool(self.sent or self.waiting or self.failed)


def delivery_of(session: Session, picture: SituationPicture) -> Delivery:
    municipality = session.get(Municipality, picture.municipality_id)
    assert municipality is not None
    key = document_key(municipality, picture)
    counts = dict(
        session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.document_key == key)
            .group_by(OutboxMessage.status)
        ).all()
    )
    return Delivery(
        sent=counts.get(OutboxStatus.SENT, 0),
        waiting=counts.get(OutboxStatus.QUEUED, 0) + counts.get(OutboxStatus.SENDING, 0),
        failed=counts.get(OutboxStatus.FAILED, 0),
        not_yet_sent=len(not_yet_sent(session, municipality, key)),
        may_send=may_send(municipality, picture),
    )


def may_send(municipality: Municipality, picture: SituationPicture) -> bool:
    """A published version may always go out; a draft only where drafts are sent on compile."""
    return picture.is_published or (
        municipality.distribution_trigger is DistributionTrigger.COMPILE
    )


def queue_picture(
    session: Session, picture: SituationPicture, *, now: datetime, settings: Settings | None = None
) -> int:
    """Queue the version for everyone on the list who receives the lägesbild and has not had
    it yet; return how many mails were queued.

    Needs an app context: the mail and the PDF are rendered from the app's templates.
    """
    settings = settings or current_app.config["SETTINGS"]
    municipality = session.get(Municipality, picture.municipality_id)
    assert municipality is not None
    key = document_key(municipality, picture)
    pending = not_yet_sent(session, municipality, key)
    if not pending:
        return 0
    week = IsoWeek.of(picture.week_start)
    attach = municipality.distribution_mode is DistributionMode.ATTACHMENT
    attachment = None
    if attach:
        rendered = pdf.render_picture(session, picture, settings=settings, now=now)
        attachment = Attachment(
            filename=pdf.file_name(municipality, picture),
            content_type="application/pdf",
            data=rendered.data,
        )
    context = {
        "kommun": municipality.name,
        "week": week,
        "picture": picture,
        "attached": attach,
        "link": external_url(
            settings.base_url, "lagesbild.week", kommun_slug=municipality.slug, week=str(week)
        ),
        "marking": settings.pdf_marking,
        "status_date": pdf.swedish_date(picture.published_at or picture.compiled_at, settings.tz),
    }
    text, html = render_mail("mail/lagesbild", **context)
    subject = f"Lägesbild {municipality.name}, {week.label()} (version {picture.version})"
    return queue_to_list(
        session,
        municipality,
        pending,
        ListMail(key=key, subject=subject, text=text, html=html, attachment=attachment),
        settings=settings,
        now=now,
    )


def on_event(
    session: Session, picture: SituationPicture, event: DistributionTrigger, *, now: datetime
) -> int:
    """Called when a version is published, or after the weekly scheduled compile: send it if
    that is the kommun's moment to send; return how many mails were queued."""
    municipality = session.get(Municipality, picture.municipality_id)
    if municipality is None or municipality.distribution_trigger is not event:
        return 0
    return queue_picture(session, picture, now=now)
