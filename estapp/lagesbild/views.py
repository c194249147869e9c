"""The lägesbild pages: a kommun's week, its versions, and the coordinator's work on it."""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from estapp.admin.places import area_path, areas_in_tree_order
from estapp.auth.access import can_see_municipality, coordinates
from estapp.db import get_session, utcnow
from estapp.distribution import lagesbild_mail
from estapp.lagesbild import pdf, services
from estapp.lagesbild.display import view_model
from estapp.lagesbild.forms import AssessmentForm, ButtonForm
from estapp.models import (
    Area,
    CompileReason,
    DistributionTrigger,
    Municipality,
    Place,
    Role,
    SituationPicture,
)
from estapp.reporting.web import me, municipality_by_slug, tz, week_from_url
from estapp.weeks import IsoWeek

bp = Blueprint("lagesbild", __name__)


def _coordinates(municipality: Municipality) -> bool:
    """The kommun's coordinators (and admins who belong to it) see drafts and edit."""
    return coordinates(current_user, municipality.id, admin_must_belong=True)


def _scope(kommun_slug: str) -> Municipality:
    municipality = municipality_by_slug(kommun_slug)
    if not can_see_municipality(me(), municipality):
        abort(403)
    return municipality


def _editor_scope(kommun_slug: str) -> Municipality:
    municipality = _scope(kommun_slug)
    if not _coordinates(municipality):
        abort(403)
    return municipality


def _version(municipality: Municipality, week: IsoWeek, number: int) -> SituationPicture:
    picture = next(
        (p for p in services.versions_of(get_session(), municipality, week) if p.version == number),
        None,
    )
    if picture is None:
        abort(404)
    return picture


def _shown_picture(
    municipality: Municipality, week: IsoWeek, *, editor: bool
) -> tuple[list[SituationPicture], SituationPicture | None]:
    """The versions the user may see, newest first, and the one asked for (or the newest).

    Partners and viewers see published versions only; coordinators may ask for ?version=N.
    """
    versions = services.versions_of(get_session(), municipality, week)
    if not editor:
        versions = [p for p in versions if p.is_published]
    picture = versions[0] if versions else None
    wanted = request.args.get("version", "")
    if editor and wanted.isdigit():
        picture = _version(municipality, week, int(wanted))
    return versions, picture


def _place_choices(municipality: Municipality) -> list[SelectChoice]:
    return [
        SelectChoice(place.id, f"{place.name} ({area_path(area)})")
        for area in areas_in_tree_order(get_session(), municipality)
        for place in area.places
    ]


@bp.route("/lagesbild")
def index() -> ResponseReturnValue:
    """Go to the lägesbild of the user's kommun, or let them choose one."""
    session = get_session()
    if current_user.role == Role.ADMIN and not current_user.municipalities:
        municipalities = list(session.scalars(select(Municipality).order_by(Municipality.name)))
    else:
        ids = {m.id for m in current_user.municipalities}
        if current_user.role == Role.REPORTER and current_user.organisation:
            ids = {m.id for m in current_user.organisation.municipalities}
        municipalities = sorted(
            (session.get(Municipality, i) for i in ids), key=lambda m: m.name.casefold()
        )
    if len(municipalities) == 1:
        return redirect(url_for(".latest", kommun_slug=municipalities[0].slug))
    return render_template("lagesbild/index.html", municipalities=municipalities)


@bp.route("/lagesbild/<kommun_slug>")
def latest(kommun_slug: str) -> ResponseReturnValue:
    """Show the latest lägesbild the user may see."""
    municipality = _scope(kommun_slug)
    editor = _coordinates(municipality)
    week = services.latest_week(get_session(), municipality, published_only=not editor)
    if week is None:
        if editor:
            week = IsoWeek.containing(utcnow(), tz()).shift(-1)
        else:
            return render_template("lagesbild/none.html", municipality=municipality)
    return redirect(url_for(".week", kommun_slug=municipality.slug, week=str(week)))


@bp.route("/lagesbild/<kommun_slug>/<week>")
def week(kommun_slug: str, week: str) -> ResponseReturnValue:
    """Show one week's lägesbild: figures, tables, trends, hot spots and partners."""
    municipality = _scope(kommun_slug)
    now = utcnow()
    iso_week = week_from_url(week, now=now)
    session = get_session()
    editor = _coordinates(municipality)
    versions, picture = _shown_picture(municipality, iso_week, editor=editor)
    settings = current_app.config["SETTINGS"]
    model = None
    if picture is not None:
        geometries = dict(
            session.execute(
                select(Area.id, Area.geojson).where(Area.municipality_id == municipality.id)
            ).all()
        )
        model = view_model(
            picture.payload,
            full=editor,
            threshold=settings.suppression_threshold,
            geometries=geometries,
        )
    focus_places = []
    if picture is not None and picture.focus_place_ids:
        focus_places = list(
            session.scalars(
                select(Place).where(Place.id.in_(picture.focus_place_ids)).order_by(Place.name)
            )
        )
    form = None
    if editor and picture is not None:
        form = AssessmentForm(
            formdata=None,
            assessment=picture.assessment,
            notable_events=picture.notable_events,
            focus_places=picture.focus_place_ids,
        )
        form.focus_places.choices = _place_choices(municipality)
    current = IsoWeek.containing(now, tz())
    return render_template(
        "lagesbild/week.html",
        municipality=municipality,
        week=iso_week,
        picture=picture,
        newest=versions[0] if versions else None,
        versions=versions,
        model=model,
        editor=editor,
        form=form,
        button=ButtonForm(),
        delivery=lagesbild_mail.delivery_of(session, picture) if editor and picture else None,
        focus_places=focus_places,
        threshold=settings.suppression_threshold,
        previous_week=iso_week.shift(-1),
        next_week=iso_week.shift(1) if iso_week < current else None,
    )


@bp.route("/lagesbild/<kommun_slug>/<week>/pdf")
def download_pdf(kommun_slug: str, week: str) -> ResponseReturnValue:
    """Download the week's lägesbild as a PDF, with small counts always suppressed."""
    municipality = _scope(kommun_slug)
    now = utcnow()
    iso_week = week_from_url(week, now=now)
    session = get_session()
    editor = _coordinates(municipality)
    _, picture = _shown_picture(municipality, iso_week, editor=editor)
    if picture is None:
        return render_template(
            "lagesbild/no_pdf.html", municipality=municipality, week=iso_week, editor=editor
        ), 404
    rendered = pdf.render_picture(
        session, picture, settings=current_app.config["SETTINGS"], now=now
    )
    response = Response(rendered.data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{pdf.file_name(municipality, picture)}"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _back(municipality: Municipality, week: IsoWeek, version: int | None = None) -> str:
    args = {"version": version} if version else {}
    return url_for(".week", kommun_slug=municipality.slug, week=str(week), **args)


@bp.route("/lagesbild/<kommun_slug>/<week>/sammanstall", methods=["POST"])
def compile_now(kommun_slug: str, week: str) -> ResponseReturnValue:
    """Compile the week now; an unchanged week keeps its version."""
    municipality = _editor_scope(kommun_slug)
    now = utcnow()
    iso_week = week_from_url(week, now=now)
    if not ButtonForm().validate_on_submit():
        abort(400)
    session = get_session()
    try:
        picture, created = services.compile_picture(
            session,
            municipality,
            iso_week,
            reason=CompileReason.MANUAL,
            actor=me(),
            now=now,
            tz=tz(),
        )
    except services.PictureRefused as error:
        flash(str(error), "error")
        return redirect(_back(municipality, iso_week))
    session.commit()
    if created:
        flash(f"Version {picture.version} är sammanställd.", "success")
    else:
        flash("Inget har ändrats sedan förra sammanställningen; ingen ny version.", "info")
    return redirect(_back(municipality, iso_week))


@bp.route("/lagesbild/<kommun_slug>/<week>/version/<int:number>/bedomning", methods=["POST"])
def save_assessment(kommun_slug: str, week: str, number: int) -> ResponseReturnValue:
    """Save the assessment, notable events and focus places of a draft."""
    municipality = _editor_scope(kommun_slug)
    now = utcnow()
    iso_week = week_from_url(week, now=now)
    picture = _version(municipality, iso_week, number)
    form = AssessmentForm()
    form.focus_places.choices = _place_choices(municipality)
    if not form.validate_on_submit():
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
        return redirect(_back(municipality, iso_week, number))
    try:
        services.save_assessment(
            get_session(),
            picture,
            assessment=form.assessment.data or "",
            notable_events=form.notable_events.data or "",
            focus_place_ids=form.focus_places.data or [],
            actor=me(),
            now=now,
        )
    except services.PictureRefused as error:
        get_session().rollback()
        flash(str(error), "error")
        return redirect(_back(municipality, iso_week, number))
    get_session().commit()
    flash("Bedömningen är sparad.", "success")
    return redirect(_back(municipality, iso_week, number))


def _button_on_version(
    kommun_slug: str, week: str, number: int
) -> tuple[Municipality, IsoWeek, SituationPicture, datetime]:
    """The coordinator's version a button was pressed on (its CSRF token checked), and now."""
    municipality = _editor_scope(kommun_slug)
    now = utcnow()
    iso_week = week_from_url(week, now=now)
    picture = _version(municipality, iso_week, number)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return municipality, iso_week, picture, now


@bp.route("/lagesbild/<kommun_slug>/<week>/version/<int:number>/faststall", methods=["POST"])
def publish(kommun_slug: str, week: str, number: int) -> ResponseReturnValue:
    """Fastställ a version so partners can see it."""
    municipality, iso_week, picture, now = _button_on_version(kommun_slug, week, number)
    try:
        services.publish_picture(get_session(), picture, actor=me(), now=now)
    except services.PictureRefused as error:
        get_session().rollback()
        flash(str(error), "error")
        return redirect(_back(municipality, iso_week, number))
    mailed = lagesbild_mail.on_event(get_session(), picture, DistributionTrigger.PUBLISH, now=now)
    get_session().commit()
    message = f"Version {picture.version} är fastställd och syns nu för samverkansparterna."
    if mailed:
        message += f" Den skickas med e-post till {mailed} mottagare på sändlistan."
    flash(message, "success")
    return redirect(_back(municipality, iso_week))


@bp.route("/lagesbild/<kommun_slug>/<week>/version/<int:number>/skicka", methods=["POST"])
def send(kommun_slug: str, week: str, number: int) -> ResponseReturnValue:
    """Mail a version to those on the distribution list who have not had it (e.g. added later)."""
    municipality, iso_week, picture, now = _button_on_version(kommun_slug, week, number)
    if not lagesbild_mail.may_send(municipality, picture):
        flash("Fastställ versionen innan den skickas till sändlistan.", "error")
        return redirect(_back(municipality, iso_week, number))
    mailed = lagesbild_mail.queue_picture(get_session(), picture, now=now)
    get_session().commit()
    if mailed:
        flash(f"Version {picture.version} skickas till {mailed} mottagare.", "success")
    else:
        flash("Alla på sändlistan har redan fått den här versionen.", "info")
    return redirect(_back(municipality, iso_week, number))


@bp.route("/lagesbild/<kommun_slug>/<week>/jamfor")
def compare(kommun_slug: str, week: str) -> ResponseReturnValue:
    """Compare two versions of the week's key figures."""
    municipality = _editor_scope(kommun_slug)
    iso_week = week_from_url(week, now=utcnow())
    versions = services.versions_of(get_session(), municipality, iso_week)
    numbers = [p.version for p in versions]
    older_text, newer_text = request.args.get("fran", ""), request.args.get("till", "")
    if len(versions) < 2:
        abort(404)
    older_number = int(older_text) if older_text.isdigit() else numbers[1]
    newer_number = int(newer_text) if newer_text.isdigit() else numbers[0]
    older = _version(municipality, iso_week, older_number)
    newer = _version(municipality, iso_week, newer_number)
    return render_template(
        "lagesbild/compare.html",
        municipality=municipality,
        week=iso_week,
        older=older,
        newer=newer,
        versions=versions,
        differences=services.compare_versions(older, newer),
    )
