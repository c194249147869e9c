"""Admin pages (admin role only): overview, kommuner and organisations.

Areas, places and categories are in ``views_geography``, users in ``views_users``, the audit
log in ``views_audit`` and the outbox in ``views_outbox``; all register on the one ``admin``
blueprint.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

# Importing the other view modules registers their routes on the blueprint.
from estapp.admin import (  # noqa: F401
    services,
    views_audit,
    views_geography,
    views_outbox,
    views_users,
)
from estapp.admin.blueprint import bp
from estapp.admin.forms import MunicipalityForm, OrganisationFilterForm, OrganisationForm
from estapp.admin.pages import (
    act,
    filter_choices,
    filter_form,
    filter_value,
    form_page,
    get_or_404,
    id_choices,
    save,
)
from estapp.admin.queries import organisations_query
from estapp.db import get_session, utcnow
from estapp.models import Municipality, Organisation, User

__all__ = ["bp"]


@bp.route("/")
def index() -> ResponseReturnValue:
    """Show the admin overview with a way into every section."""
    session = get_session()
    municipalities = services.all_municipalities(session)
    counts = {
        "municipalities": len(municipalities),
        "organisations": session.scalar(select(func.count()).select_from(Organisation)),
        "users": session.scalar(select(func.count()).select_from(User)),
    }
    return render_template("admin/index.html", municipalities=municipalities, counts=counts)


# --- kommuner -------------------------------------------------------------------------------


@bp.route("/kommuner")
def municipalities() -> ResponseReturnValue:
    """List the kommuner."""
    rows = get_session().scalars(
        select(Municipality)
        .options(
            selectinload(Municipality.organisations),
            selectinload(Municipality.areas),
            selectinload(Municipality.categories),
        )
        .order_by(Municipality.name)
    )
    return render_template("admin/municipalities.html", municipalities=list(rows))


@bp.route("/kommuner/ny", methods=["GET", "POST"])
def municipality_new() -> ResponseReturnValue:
    """Create a kommun with the default categories."""
    form = MunicipalityForm()
    municipality = save(
        form,
        lambda session: services.create_municipality(
            session, current_user, form.name.data or "", form.slug.data or "", now=utcnow()
        ),
    )
    if municipality is not None:
        flash(
            _(
                "Kommunen %(name)s är skapad med standardlistan över händelsetyper.",
                name=municipality.name,
            ),
            "success",
        )
        return redirect(url_for("admin.municipalities"))
    return form_page(
        form,
        title=_("Ny kommun"),
        submit_label=_("Skapa kommun"),
        back_url=url_for("admin.municipalities"),
    )


@bp.route("/kommuner/<int:municipality_id>/andra", methods=["GET", "POST"])
def municipality_edit(municipality_id: int) -> ResponseReturnValue:
    """Change a kommun's name or short name."""
    municipality = get_or_404(Municipality, municipality_id)
    form = MunicipalityForm(obj=municipality)
    changes = save(
        form,
        lambda session: services.update_municipality(
            session,
            current_user,
            municipality,
            name=form.name.data or "",
            slug=form.slug.data or "",
            now=utcnow(),
        ),
    )
    if changes is not None:
        flash(_("Kommunen %(name)s är sparad.", name=municipality.name), "success")
        return redirect(url_for("admin.municipalities"))
    return form_page(
        form,
        title=_("Ändra kommunen %(name)s", name=municipality.name),
        submit_label=_("Spara"),
        back_url=url_for("admin.municipalities"),
    )


# --- organisations --------------------------------------------------------------------------


@bp.route("/aktorer")
def organisations() -> ResponseReturnValue:
    """List the partner organisations, optionally those of one kommun."""
    session = get_session()
    filters = filter_form(
        OrganisationFilterForm, kommun=filter_choices(services.all_municipalities(session))
    )
    rows = session.scalars(organisations_query(filter_value(filters, "kommun")))
    return render_template("admin/organisations.html", organisations=list(rows), filters=filters), (
        400 if filters.errors else 200
    )


def _organisation_form(organisation: Organisation | None = None) -> OrganisationForm:
    form = OrganisationForm(obj=organisation)
    form.municipalities.choices = id_choices(services.all_municipalities(get_session()))
    if organisation is not None and not form.is_submitted():
        form.municipalities.data = [m.id for m in organisation.municipalities]
    return form


@bp.route("/aktorer/ny", methods=["GET", "POST"])
def organisation_new() -> ResponseReturnValue:
    """Create a partner organisation."""
    form = _organisation_form()
    organisation = save(
        form,
        lambda session: services.create_organisation(
            session,
            current_user,
            form.name.data or "",
            form.kind.data,
            services.municipalities_by_ids(session, form.municipalities.data or []),
            now=utcnow(),
        ),
    )
    if organisation is not None:
        flash(_("Aktören %(name)s är skapad.", name=organisation.name), "success")
        return redirect(url_for("admin.organisations"))
    return form_page(
        form,
        title=_("Ny aktör"),
        submit_label=_("Skapa aktör"),
        back_url=url_for("admin.organisations"),
    )


@bp.route("/aktorer/<int:organisation_id>/andra", methods=["GET", "POST"])
def organisation_edit(organisation_id: int) -> ResponseReturnValue:
    """Change an organisation's name, kind or kommuner."""
    organisation = get_or_404(Organisation, organisation_id)
    form = _organisation_form(organisation)
    changes = save(
        form,
        lambda session: services.update_organisation(
            session,
            current_user,
            organisation,
            name=form.name.data or "",
            kind=form.kind.data,
            municipalities=services.municipalities_by_ids(session, form.municipalities.data or []),
            now=utcnow(),
        ),
    )
    if changes is not None:
        flash(_("Aktören %(name)s är sparad.", name=organisation.name), "success")
        return redirect(url_for("admin.organisations"))
    return form_page(
        form,
        title=_("Ändra aktören %(name)s", name=organisation.name),
        submit_label=_("Spara"),
        back_url=url_for("admin.organisations"),
    )


@bp.route("/aktorer/<int:organisation_id>/inaktivera", methods=["POST"])
def organisation_deactivate(organisation_id: int) -> ResponseReturnValue:
    """Deactivate an organisation; its history stays."""
    return _set_organisation_active(organisation_id, False)


@bp.route("/aktorer/<int:organisation_id>/aktivera", methods=["POST"])
def organisation_activate(organisation_id: int) -> ResponseReturnValue:
    """Reactivate an organisation."""
    return _set_organisation_active(organisation_id, True)


def _set_organisation_active(organisation_id: int, active: bool) -> ResponseReturnValue:
    organisation = get_or_404(Organisation, organisation_id)
    message = (
        _("Aktören %(name)s är aktiv igen.", name=organisation.name)
        if active
        else _("Aktören %(name)s är inaktiverad.", name=organisation.name)
    )
    return act(
        lambda session: services.set_organisation_active(
            session, current_user, organisation, active, now=utcnow()
        ),
        message,
        url_for("admin.organisations"),
    )
