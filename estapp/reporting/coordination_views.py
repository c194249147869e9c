"""The coordinator's pages: who has reported, the kommun's observations, and corrections."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from estapp.admin.errors import InvalidChange
from estapp.admin.pages import save
from estapp.admin.services import all_municipalities
from estapp.auth.access import coordinates
from estapp.db import get_session, utcnow
from estapp.distribution.forms import DistributionSettingsForm, distribution_settings_form
from estapp.models import Category, Municipality, Observation, Organisation, Role
from estapp.reporting import coordination
from estapp.reporting.forms import DeadlineForm, NewPlaceForm, ObservationFilterForm
from estapp.reporting.services import ObservationRejected, report_deadline
from estapp.reporting.web import (
    area_choices,
    correction_form,
    me,
    municipality_by_slug,
    page_number,
    place_choices,
    put_errors,
    today,
    tz,
)
from estapp.retention import services as retention
from estapp.retention.forms import RetentionForm
from estapp.weeks import InvalidWeek, IsoWeek

bp = Blueprint("coordination", __name__)

OBSERVATIONS_PER_PAGE = 50
DEFAULT_LIST_WEEKS = 4


@bp.app_template_global()
def may_see_observations(municipality: Municipality) -> bool:
    """Raw observations: the kommun's coordinators, and admins who belong to the kommun."""
    return coordinates(current_user, municipality.id, admin_must_belong=True)


@bp.app_template_global()
def gallring(municipality: Municipality) -> coordination.Gallring:
    """For the pages that list weeks: which of the kommun's weeks gallring has emptied."""
    return coordination.gallring_for(municipality, today=today(utcnow()))


def coordinator_scope(kommun_slug: str, *, observations: bool = False) -> Municipality:
    """The kommun, if the user coordinates it; admins see every board, raw data only if theirs."""
    if current_user.role not in (Role.COORDINATOR, Role.ADMIN):
        abort(403)
    municipality = municipality_by_slug(kommun_slug)
    if not coordinates(current_user, municipality.id, admin_must_belong=observations):
        abort(403)
    return municipality


def _coordinated() -> list[Municipality]:
    if current_user.role == Role.ADMIN:
        return all_municipalities(get_session())
    if current_user.role == Role.COORDINATOR:
        return list(current_user.municipalities)
    abort(403)


@bp.route("/samordning")
def index() -> ResponseReturnValue:
    """Go to the status board of the user's kommun, or let them choose one."""
    municipalities = _coordinated()
    if len(municipalities) == 1:
        return redirect(url_for(".status", kommun_slug=municipalities[0].slug))
    return render_template("coordination/index.html", municipalities=municipalities)


@bp.route("/samordning/<kommun_slug>/status")
def status(kommun_slug: str) -> ResponseReturnValue:
    """Show which partners have reported for a week."""
    municipality = coordinator_scope(kommun_slug)
    now = utcnow()
    current = IsoWeek.containing(now, tz())
    text = request.args.get("vecka")
    if text:
        try:
            week = IsoWeek.parse(text)
        except InvalidWeek:
            abort(404)
        if week > current:
            abort(404)
    else:
        week = coordination.default_board_week(municipality, now=now, tz=tz())
    rows = coordination.partner_rows(get_session(), municipality, week, tz=tz(), now=now)
    return render_template(
        "coordination/status.html",
        municipality=municipality,
        week=week,
        rows=rows,
        reported=sum(1 for row in rows if row.has_reported),
        deadline=report_deadline(municipality, week, tz()),
        previous_week=week.shift(-1),
        next_week=week.shift(1) if week < current else None,
        observation_count=sum(row.observation_count for row in rows),
        compiled=coordination.compiled_state(get_session(), municipality, week, rows),
        gallrad=gallring(municipality).of(week),
    )


def _filter_choices(form: ObservationFilterForm, municipality: Municipality) -> None:
    session = get_session()
    form.omrade.choices = [SelectChoice("", _("Alla områden")), *area_choices(municipality)[1:]]
    form.plats.choices = place_choices(municipality, _("Alla platser"))
    categories = session.scalars(
        select(Category)
        .where(Category.municipality_id == municipality.id)
        .order_by(Category.position, Category.name)
    )
    form.typ.choices = [
        SelectChoice("", _("Alla händelsetyper")),
        *(SelectChoice(str(c.id), c.name) for c in categories),
    ]
    partners = sorted(municipality.organisations, key=lambda o: o.name.casefold())
    form.aktor.choices = [
        SelectChoice("", _("Alla aktörer")),
        *(SelectChoice(str(o.id), o.name) for o in partners),
    ]


def _wanted(form: ObservationFilterForm, now: Any) -> coordination.ObservationFilter:
    current = IsoWeek.containing(now, tz())
    last = getattr(form.till, "week", None)
    first = getattr(form.fran, "week", None)
    last = last or (current if first is None or first <= current else first)
    first = first or last.shift(-(DEFAULT_LIST_WEEKS - 1))
    return coordination.ObservationFilter(
        first_week=first,
        last_week=last,
        area_id=form.omrade.data,
        place_id=form.plats.data,
        category_id=form.typ.data,
        organisation_id=form.aktor.data,
    )


def observation_filter(
    municipality: Municipality,
) -> tuple[ObservationFilterForm, coordination.ObservationFilter | None]:
    """The list's filter form read from the query string, and what it asks for (None: invalid)."""
    form = ObservationFilterForm(request.args)
    _filter_choices(form, municipality)
    if not form.validate():
        return form, None
    return form, _wanted(form, utcnow())


@bp.route("/samordning/<kommun_slug>/handelser")
def observations(kommun_slug: str) -> ResponseReturnValue:
    """List the kommun's observations, filtered by weeks, where, what and who."""
    municipality = coordinator_scope(kommun_slug, observations=True)
    form, wanted = observation_filter(municipality)
    if wanted is None:
        return render_template(
            "coordination/observations.html",
            municipality=municipality,
            form=form,
            wanted=None,
            observations=[],
            total=0,
        ), 400
    page = page_number()
    found, total = coordination.find_observations(
        get_session(),
        municipality,
        wanted,
        offset=(page - 1) * OBSERVATIONS_PER_PAGE,
        limit=OBSERVATIONS_PER_PAGE,
    )
    pages = max(1, (total - 1) // OBSERVATIONS_PER_PAGE + 1)
    query = {k: v for k, v in request.args.items() if k != "sida" and v}
    return render_template(
        "coordination/observations.html",
        municipality=municipality,
        form=form,
        wanted=wanted,
        observations=found,
        organisations={o.id: o for o in municipality.organisations},
        total=total,
        page=page,
        pages=pages,
        first_shown=(page - 1) * OBSERVATIONS_PER_PAGE + 1,
        last_shown=min(total, page * OBSERVATIONS_PER_PAGE),
        page_url=lambda number: url_for(
            ".observations", kommun_slug=municipality.slug, sida=number, **query
        ),
        # The weeks shown are spelled out, so the file holds exactly this list.
        export_query={**query, "fran": str(wanted.first_week), "till": str(wanted.last_week)},
    )


def _kommun_observation(municipality: Municipality, observation_id: int) -> Observation:
    observation = get_session().get(Observation, observation_id)
    if observation is None or observation.municipality_id != municipality.id:
        abort(404)
    return observation


def _detail(
    municipality: Municipality,
    observation: Observation,
    *,
    form: Any = None,
    place_form: Any = None,
    status: int = 200,
) -> ResponseReturnValue:
    if place_form is None and observation.other_place:
        place_form = NewPlaceForm(name=observation.other_place)
    organisation = get_session().get(Organisation, observation.organisation_id)
    return render_template(
        "coordination/observation.html",
        municipality=municipality,
        observation=observation,
        organisation=organisation,
        form=form or correction_form(observation, municipality),
        place_form=place_form,
    ), status


@bp.route("/samordning/<kommun_slug>/handelser/<int:observation_id>", methods=["GET", "POST"])
def observation(kommun_slug: str, observation_id: int) -> ResponseReturnValue:
    """Show one observation; a POST corrects its category or place."""
    municipality = coordinator_scope(kommun_slug, observations=True)
    found = _kommun_observation(municipality, observation_id)
    if request.method == "GET":
        return _detail(municipality, found)
    form = correction_form(found, municipality)
    if form.validate_on_submit():
        session = get_session()
        try:
            changes = coordination.correct_observation(
                session,
                me(),
                found,
                category_id=form.category_id.data,
                place_id=form.place_id.data,
                now=utcnow(),
            )
        except ObservationRejected as rejected:
            session.rollback()
            put_errors(form, rejected.errors)
        else:
            session.commit()
            if changes:
                flash(
                    _("Händelsen är rättad. Rapportören ser att samordnaren har ändrat den."),
                    "success",
                )
            else:
                flash(_("Inget ändrades."), "info")
            return redirect(request.path)
    return _detail(municipality, found, form=form, status=400)


@bp.route("/samordning/<kommun_slug>/handelser/<int:observation_id>/ny-plats", methods=["POST"])
def new_place(kommun_slug: str, observation_id: int) -> ResponseReturnValue:
    """Make the observation's 'annan plats' a place of its area and use it."""
    municipality = coordinator_scope(kommun_slug, observations=True)
    found = _kommun_observation(municipality, observation_id)
    form = NewPlaceForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            place = coordination.make_place_of_other_place(
                session, me(), found, form.name.data or "", now=utcnow()
            )
        except InvalidChange as problem:
            session.rollback()
            put_errors(form, {problem.field or "name": str(problem.message)})
        except ObservationRejected as rejected:
            session.rollback()
            put_errors(form, rejected.errors)
        else:
            session.commit()
            flash(
                _(
                    "Platsen %(place)s finns nu i området %(area)s.",
                    place=place.name,
                    area=found.area.name,
                ),
                "success",
            )
            return redirect(
                url_for(".observation", kommun_slug=kommun_slug, observation_id=found.id)
            )
    return _detail(municipality, found, place_form=form, status=400)


@bp.route("/samordning/<kommun_slug>/installningar", methods=["GET", "POST"])
def settings(kommun_slug: str) -> ResponseReturnValue:
    """Let the coordinator set when the kommun's weekly reports are due."""
    municipality = coordinator_scope(kommun_slug, observations=True)
    form = DeadlineForm(obj=municipality)
    if form.validate_on_submit():
        session = get_session()
        changed = coordination.set_deadline(
            session,
            me(),
            municipality,
            weekday=form.deadline_weekday.data,
            at=form.deadline_time.data,
            now=utcnow(),
        )
        session.commit()
        flash(
            _("Tidsfristen är ändrad.") if changed else _("Inget ändrades."),
            "success" if changed else "info",
        )
        return redirect(url_for("coordination.settings", kommun_slug=municipality.slug))
    return render_settings(municipality, deadline_form=form)


@bp.route("/samordning/<kommun_slug>/installningar/gallring", methods=["POST"])
def retention_settings(kommun_slug: str) -> ResponseReturnValue:
    """Set how many months the kommun keeps its observations."""
    municipality = coordinator_scope(kommun_slug, observations=True)
    form = RetentionForm()
    changed = save(
        form,
        lambda session: retention.set_municipality_retention(
            session, me(), municipality, form.retention_months.data, now=utcnow()
        ),
    )
    if changed is not None:
        flash(
            _("Gallringsfristen är ändrad.") if changed else _("Inget ändrades."),
            "success" if changed else "info",
        )
        return redirect(url_for("coordination.settings", kommun_slug=municipality.slug))
    return render_settings(municipality, retention_form=form)


def render_settings(
    municipality: Municipality,
    *,
    deadline_form: DeadlineForm | None = None,
    distribution_form: DistributionSettingsForm | None = None,
    retention_form: RetentionForm | None = None,
) -> ResponseReturnValue:
    """The settings page; the form that was posted keeps what was typed, the others are fresh."""
    deadline_form = deadline_form or DeadlineForm(formdata=None, obj=municipality)
    distribution_form = distribution_form or distribution_settings_form(municipality)
    retention_form = retention_form or RetentionForm(formdata=None, obj=municipality)
    example = report_deadline(municipality, IsoWeek.containing(utcnow(), tz()), tz())
    return (
        render_template(
            "coordination/settings.html",
            municipality=municipality,
            form=deadline_form,
            distribution_form=distribution_form,
            retention_form=retention_form,
            own_periods=sorted(
                (c for c in municipality.categories if c.retention_months),
                key=lambda c: (c.position, c.name),
            ),
            example=example,
        ),
        400 if deadline_form.errors or distribution_form.errors or retention_form.errors else 200,
    )
