"""The public follow-up page ("Följ med i hur det går"), open to everyone without logging in,
and the coordinator's switch that turns it on or off for the kommun.

A kommun whose page is off, or that does not exist, gets the same 404, so the page tells nothing
about which kommuner use estapp. Drafts are never shown.
"""

from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import BooleanField

from estapp.admin.pages import save
from estapp.audit import record
from estapp.auth.access import public
from estapp.db import get_session, utcnow
from estapp.models import Municipality, PromiseStatus, User
from estapp.promises import services
from estapp.promises.blueprint import bp
from estapp.promises.progress_queries import progress_by_commitment
from estapp.promises.public import public_progress
from estapp.reporting.coordination_views import coordinator_scope
from estapp.reporting.web import me, today, tz

SHOWN = (PromiseStatus.ACTIVE, PromiseStatus.ENDED)


class PublicPageForm(FlaskForm):
    enabled = BooleanField(_l("Visa den offentliga uppföljningssidan"))


def set_public_follow_up(
    session: Session, actor: User, municipality: Municipality, enabled: bool, *, now: datetime
) -> bool:
    """Turn the public page on or off; audited. Returns whether anything changed."""
    if municipality.public_follow_up == enabled:
        return False
    municipality.public_follow_up = enabled
    session.flush()
    record(
        session,
        actor,
        "public_follow_up_changed",
        "municipality",
        municipality.id,
        municipality_id=municipality.id,
        details={"enabled": enabled},
        now=now,
    )
    return True


def _published(slug: str) -> Municipality:
    municipality = get_session().scalar(
        select(Municipality).where(
            Municipality.slug == slug, Municipality.public_follow_up.is_(True)
        )
    )
    if municipality is None:
        abort(404)
    return municipality


@bp.route("/uppfoljning")
@public
def public_index() -> ResponseReturnValue:
    """The kommuner whose follow-up is public."""
    municipalities = get_session().scalars(
        select(Municipality)
        .where(Municipality.public_follow_up.is_(True))
        .order_by(Municipality.name)
    )
    return render_template("public/index.html", municipalities=list(municipalities))


@bp.route("/uppfoljning/<kommun_slug>")
@public
def public_follow_up(kommun_slug: str) -> ResponseReturnValue:
    """Each promise in force or ended, newest first, and how each commitment is going."""
    municipality = _published(kommun_slug)
    session = get_session()
    threshold = current_app.config["SETTINGS"].suppression_threshold
    day = today(utcnow())
    shown = []
    for promise in services.promises_of(session, municipality):
        if promise.status not in SHOWN:
            continue
        progress = progress_by_commitment(session, promise, tz(), day)
        told = [(c, public_progress(progress[c.id], threshold)) for c in promise.commitments]
        shown.append((promise, told))
    return render_template(
        "public/follow_up.html",
        municipality=municipality,
        promises=shown,
        threshold=threshold,
    )


@bp.route("/medborgarloften/<kommun_slug>/offentlig-sida", methods=["GET", "POST"])
def public_page_settings(kommun_slug: str) -> ResponseReturnValue:
    """The kommun's coordinators turn the public page on or off."""
    municipality = coordinator_scope(kommun_slug)
    form = PublicPageForm(data={"enabled": municipality.public_follow_up})
    if form.is_submitted():
        changed = save(
            form,
            lambda session: set_public_follow_up(
                session, me(), municipality, bool(form.enabled.data), now=utcnow()
            ),
        )
        if changed is not None:
            if not changed:
                flash(_("Inget ändrades."), "info")
            elif municipality.public_follow_up:
                flash(
                    _("Den offentliga sidan är på. Alla kan nu läsa den utan att logga in."),
                    "success",
                )
            else:
                flash(_("Den offentliga sidan är avstängd."), "success")
            return redirect(url_for(".public_page_settings", kommun_slug=municipality.slug))
    return render_template(
        "promises/public_settings.html", municipality=municipality, form=form
    ), 400 if form.errors else 200
