"""Admin pages for a kommun's areas, places and categories (händelsetyper)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session
from wtforms import SelectChoice

from estapp.admin import categories, places
from estapp.admin.blueprint import bp
from estapp.admin.forms import AreaForm, CategoryForm, PlaceForm
from estapp.admin.pages import (
    act,
    confirm_then,
    form_page,
    get_in_municipality,
    get_or_404,
    save,
)
from estapp.db import get_session, utcnow
from estapp.models import Area, Category, Municipality, Place
from estapp.retention import services as retention
from estapp.retention.forms import CategoryEditForm, RetentionForm

# --- areas and places -----------------------------------------------------------------------


def _areas_url(municipality: Municipality) -> str:
    return url_for("admin.areas", municipality_id=municipality.id)


@bp.route("/kommuner/<int:municipality_id>/omraden")
def areas(municipality_id: int) -> ResponseReturnValue:
    """List a kommun's areas, each with its places."""
    municipality = get_or_404(Municipality, municipality_id)
    rows = places.areas_in_tree_order(get_session(), municipality)
    return render_template(
        "admin/areas.html",
        municipality=municipality,
        areas=[(area, places.area_path(area)) for area in rows],
    )


def _area_form(municipality: Municipality, area: Area | None = None) -> AreaForm:
    form = AreaForm(obj=area)
    parents = places.possible_parents(get_session(), area, municipality)
    form.parent.choices = [
        SelectChoice("", _("Inget – området ligger direkt i kommunen")),
        *(SelectChoice(str(a.id), places.area_path(a)) for a in parents),
    ]
    if area is not None and not form.is_submitted():
        form.parent.data = area.parent_id
    return form


@bp.route("/kommuner/<int:municipality_id>/omraden/nytt", methods=["GET", "POST"])
def area_new(municipality_id: int) -> ResponseReturnValue:
    """Create an area in a kommun."""
    municipality = get_or_404(Municipality, municipality_id)
    form = _area_form(municipality)

    def create(session: Session) -> Area:
        return places.create_area(
            session,
            current_user,
            municipality,
            form.name.data or "",
            parent=places.area_by_id(session, municipality, form.parent.data, field="parent"),
            geojson=form.geojson.geometry,
            now=utcnow(),
        )

    area = save(form, create)
    if area is not None:
        flash(_("Området %(name)s är skapat.", name=area.name), "success")
        return redirect(_areas_url(municipality))
    return form_page(
        form,
        title=_("Nytt område i %(kommun)s", kommun=municipality.name),
        submit_label=_("Skapa område"),
        back_url=_areas_url(municipality),
    )


@bp.route("/kommuner/<int:municipality_id>/omraden/<int:area_id>/andra", methods=["GET", "POST"])
def area_edit(municipality_id: int, area_id: int) -> ResponseReturnValue:
    """Change an area's name, parent area or polygon."""
    municipality = get_or_404(Municipality, municipality_id)
    area = get_in_municipality(Area, area_id, municipality)
    form = _area_form(municipality, area)

    def update(session: Session) -> object:
        return places.update_area(
            session,
            current_user,
            area,
            name=form.name.data or "",
            parent=places.area_by_id(session, municipality, form.parent.data, field="parent"),
            geojson=form.geojson.geometry,
            now=utcnow(),
        )

    if save(form, update) is not None:
        flash(_("Området %(name)s är sparat.", name=area.name), "success")
        return redirect(_areas_url(municipality))
    return form_page(
        form,
        title=_("Ändra området %(name)s", name=area.name),
        submit_label=_("Spara"),
        back_url=_areas_url(municipality),
    )


@bp.route("/kommuner/<int:municipality_id>/omraden/<int:area_id>/ta-bort", methods=["GET", "POST"])
def area_delete(municipality_id: int, area_id: int) -> ResponseReturnValue:
    """Delete an area that has no places or sub-areas, after asking."""
    municipality = get_or_404(Municipality, municipality_id)
    area = get_in_municipality(Area, area_id, municipality)
    return confirm_then(
        lambda session: places.delete_area(session, current_user, area, now=utcnow()),
        title=_("Ta bort området %(name)s", name=area.name),
        question=_(
            "Vill du ta bort området %(name)s i %(kommun)s? Det går inte att ångra.",
            name=area.name,
            kommun=municipality.name,
        ),
        button=_("Ta bort området"),
        success=_("Området %(name)s är borttaget.", name=area.name),
        back_url=_areas_url(municipality),
    )


def _place_form(municipality: Municipality, place: Place | None = None) -> PlaceForm:
    form = PlaceForm(obj=place)
    form.area.choices = [
        SelectChoice("", _("Välj område")),
        *(
            SelectChoice(str(a.id), places.area_path(a))
            for a in places.areas_in_tree_order(get_session(), municipality)
        ),
    ]
    if not form.is_submitted():
        form.area.data = place.area_id if place else request.args.get("omrade", type=int)
    return form


@bp.route("/kommuner/<int:municipality_id>/platser/ny", methods=["GET", "POST"])
def place_new(municipality_id: int) -> ResponseReturnValue:
    """Create a place in one of the kommun's areas."""
    municipality = get_or_404(Municipality, municipality_id)
    form = _place_form(municipality)

    def create(session: Session) -> Place:
        area = places.area_by_id(session, municipality, form.area.data, field="area")
        assert area is not None  # the form requires an area
        return places.create_place(
            session,
            current_user,
            area,
            form.name.data or "",
            latitude=form.latitude.data,
            longitude=form.longitude.data,
            now=utcnow(),
        )

    place = save(form, create)
    if place is not None:
        flash(_("Platsen %(name)s är skapad.", name=place.name), "success")
        return redirect(_areas_url(municipality))
    return form_page(
        form,
        title=_("Ny plats i %(kommun)s", kommun=municipality.name),
        submit_label=_("Skapa plats"),
        back_url=_areas_url(municipality),
    )


@bp.route("/kommuner/<int:municipality_id>/platser/<int:place_id>/andra", methods=["GET", "POST"])
def place_edit(municipality_id: int, place_id: int) -> ResponseReturnValue:
    """Change a place's name, area or coordinates."""
    municipality = get_or_404(Municipality, municipality_id)
    place = get_in_municipality(Place, place_id, municipality)
    form = _place_form(municipality, place)

    def update(session: Session) -> object:
        area = places.area_by_id(session, municipality, form.area.data, field="area")
        assert area is not None  # the form requires an area
        return places.update_place(
            session,
            current_user,
            place,
            area=area,
            name=form.name.data or "",
            latitude=form.latitude.data,
            longitude=form.longitude.data,
            now=utcnow(),
        )

    if save(form, update) is not None:
        flash(_("Platsen %(name)s är sparad.", name=place.name), "success")
        return redirect(_areas_url(municipality))
    return form_page(
        form,
        title=_("Ändra platsen %(name)s", name=place.name),
        submit_label=_("Spara"),
        back_url=_areas_url(municipality),
    )


@bp.route("/kommuner/<int:municipality_id>/platser/<int:place_id>/ta-bort", methods=["GET", "POST"])
def place_delete(municipality_id: int, place_id: int) -> ResponseReturnValue:
    """Delete a place nothing refers to, after asking."""
    municipality = get_or_404(Municipality, municipality_id)
    place = get_in_municipality(Place, place_id, municipality)
    return confirm_then(
        lambda session: places.delete_place(session, current_user, place, now=utcnow()),
        title=_("Ta bort platsen %(name)s", name=place.name),
        question=_(
            "Vill du ta bort platsen %(name)s i området %(area)s? Det går inte att ångra.",
            name=place.name,
            area=place.area.name,
        ),
        button=_("Ta bort platsen"),
        success=_("Platsen %(name)s är borttagen.", name=place.name),
        back_url=_areas_url(municipality),
    )


# --- categories -----------------------------------------------------------------------------


def _categories_url(municipality: Municipality) -> str:
    return url_for("admin.categories_list", municipality_id=municipality.id)


@bp.route("/kommuner/<int:municipality_id>/handelsetyper")
def categories_list(municipality_id: int) -> ResponseReturnValue:
    """List a kommun's categories in the order reporters see them."""
    municipality = get_or_404(Municipality, municipality_id)
    rows = categories.categories_in_order(get_session(), municipality)
    return render_template("admin/categories.html", municipality=municipality, categories=rows)


@bp.route("/kommuner/<int:municipality_id>/handelsetyper/ny", methods=["GET", "POST"])
def category_new(municipality_id: int) -> ResponseReturnValue:
    """Add a category last in a kommun's list."""
    municipality = get_or_404(Municipality, municipality_id)
    form = CategoryForm()
    category = save(
        form,
        lambda session: categories.create_category(
            session, current_user, municipality, form.name.data or "", now=utcnow()
        ),
    )
    if category is not None:
        flash(_("Händelsetypen %(name)s är tillagd.", name=category.name), "success")
        return redirect(_categories_url(municipality))
    return form_page(
        form,
        title=_("Ny händelsetyp i %(kommun)s", kommun=municipality.name),
        submit_label=_("Lägg till"),
        back_url=_categories_url(municipality),
    )


@bp.route(
    "/kommuner/<int:municipality_id>/handelsetyper/<int:category_id>/andra",
    methods=["GET", "POST"],
)
def category_edit(municipality_id: int, category_id: int) -> ResponseReturnValue:
    """Rename a category, or give it a retention period of its own."""
    municipality = get_or_404(Municipality, municipality_id)
    category = get_in_municipality(Category, category_id, municipality)
    old_name = category.name
    form = CategoryEditForm(obj=category)

    def change(session: Session) -> bool:
        now = utcnow()
        renamed = categories.rename_category(
            session, current_user, category, form.name.data or "", now=now
        )
        retention.set_category_retention(
            session, current_user, category, form.retention_months.data, now=now
        )
        return bool(renamed)

    renamed = save(form, change)
    if renamed is not None:
        flash(
            _("Händelsetypen %(old)s heter nu %(new)s.", old=old_name, new=category.name)
            if renamed
            else _("Händelsetypen %(name)s är sparad.", name=category.name),
            "success",
        )
        return redirect(_categories_url(municipality))
    return form_page(
        form,
        title=_("Ändra händelsetypen %(name)s", name=old_name),
        submit_label=_("Spara"),
        back_url=_categories_url(municipality),
    )


@bp.route("/kommuner/<int:municipality_id>/gallring", methods=["GET", "POST"])
def municipality_retention(municipality_id: int) -> ResponseReturnValue:
    """Set how many months a kommun keeps its observations."""
    municipality = get_or_404(Municipality, municipality_id)
    form = RetentionForm(obj=municipality)
    changed = save(
        form,
        lambda session: retention.set_municipality_retention(
            session, current_user, municipality, form.retention_months.data, now=utcnow()
        ),
    )
    if changed is not None:
        flash(
            _("Gallringsfristen för %(kommun)s är sparad.", kommun=municipality.name)
            if changed
            else _("Inget ändrades."),
            "success" if changed else "info",
        )
        return redirect(_categories_url(municipality))
    return form_page(
        form,
        title=_("Gallringsfrist för %(kommun)s", kommun=municipality.name),
        submit_label=_("Spara"),
        back_url=_categories_url(municipality),
        intro=_(
            "Händelser raderas varje natt när deras vecka ligger längre tillbaka än så här "
            "många månader. Sammanställda lägesbilder behåller sina siffror. En händelsetyp "
            "kan ha en egen frist; den sätts under Ändra vid händelsetypen."
        ),
    )


@bp.route(
    "/kommuner/<int:municipality_id>/handelsetyper/<int:category_id>/inaktivera",
    methods=["POST"],
)
def category_deactivate(municipality_id: int, category_id: int) -> ResponseReturnValue:
    """Stop offering a category in new reports."""
    return _set_category_active(municipality_id, category_id, False)


@bp.route(
    "/kommuner/<int:municipality_id>/handelsetyper/<int:category_id>/aktivera", methods=["POST"]
)
def category_activate(municipality_id: int, category_id: int) -> ResponseReturnValue:
    """Offer a category in new reports again."""
    return _set_category_active(municipality_id, category_id, True)


def _set_category_active(
    municipality_id: int, category_id: int, active: bool
) -> ResponseReturnValue:
    municipality = get_or_404(Municipality, municipality_id)
    category = get_in_municipality(Category, category_id, municipality)
    message = (
        _("Händelsetypen %(name)s är aktiv igen.", name=category.name)
        if active
        else _("Händelsetypen %(name)s är inaktiverad.", name=category.name)
    )
    return act(
        lambda session: categories.set_category_active(
            session, current_user, category, active, now=utcnow()
        ),
        message,
        _categories_url(municipality),
    )


@bp.route(
    "/kommuner/<int:municipality_id>/handelsetyper/<int:category_id>/ta-bort",
    methods=["GET", "POST"],
)
def category_delete(municipality_id: int, category_id: int) -> ResponseReturnValue:
    """Delete a category that nothing uses, after asking."""
    municipality = get_or_404(Municipality, municipality_id)
    category = get_in_municipality(Category, category_id, municipality)
    return confirm_then(
        lambda session: categories.delete_category(session, current_user, category, now=utcnow()),
        title=_("Ta bort händelsetypen %(name)s", name=category.name),
        question=_(
            "Vill du ta bort händelsetypen %(name)s i %(kommun)s? Det går inte att ångra. "
            "En händelsetyp som redan används kan bara inaktiveras.",
            name=category.name,
            kommun=municipality.name,
        ),
        button=_("Ta bort händelsetypen"),
        success=_("Händelsetypen %(name)s är borttagen.", name=category.name),
        back_url=_categories_url(municipality),
    )
