"""The distribution list and the distribution settings: pages of the ``coordination`` blueprint."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from wtforms import SelectChoice

from estapp.admin.pages import save
from estapp.db import get_session, utcnow
from estapp.distribution import recipients
from estapp.distribution.forms import (
    AddExternalForm,
    AddUserForm,
    DocumentsForm,
    distribution_settings_form,
)
from estapp.distribution.recipients import (
    DistributionSettings,
    Document,
)
from estapp.lagesbild.forms import ButtonForm
from estapp.models import DistributionMode, DistributionTrigger, Municipality
from estapp.reporting.coordination_views import bp, coordinator_scope, render_settings
from estapp.reporting.web import me


def _documents(form: AddUserForm | AddExternalForm | DocumentsForm) -> set[Document]:
    return {Document(value) for value in form.documents.data or []}


def _user_form(municipality: Municipality, *, submitted: bool) -> AddUserForm:
    form = AddUserForm(prefix="user") if submitted else AddUserForm(prefix="user", formdata=None)
    users = recipients.eligible_users(get_session(), municipality)
    form.user.choices = [SelectChoice("", _("Välj användare"))] + [
        SelectChoice(
            str(user.id),
            f"{user.name}, {user.organisation.name if user.organisation else user.email}",
        )
        for user in users
    ]
    return form


def _page(
    municipality: Municipality,
    *,
    user_form: AddUserForm | None = None,
    external_form: AddExternalForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    session = get_session()
    entries = recipients.recipients_of(session, municipality)
    return (
        render_template(
            "coordination/distribution.html",
            municipality=municipality,
            entries=entries,
            documents_forms={
                entry.id: DocumentsForm(
                    formdata=None,
                    prefix=f"entry-{entry.id}",
                    data={"documents": [d.value for d in Document if getattr(entry, d.value)]},
                )
                for entry in entries
            },
            remove_form=ButtonForm(formdata=None),
            user_form=user_form or _user_form(municipality, submitted=False),
            external_form=external_form or AddExternalForm(prefix="external", formdata=None),
            link_mode=municipality.distribution_mode is DistributionMode.LINK,
            on_publish=municipality.distribution_trigger is DistributionTrigger.PUBLISH,
        ),
        status,
    )


def _back(municipality: Municipality) -> ResponseReturnValue:
    return redirect(url_for("coordination.distribution", kommun_slug=municipality.slug))


@bp.route("/samordning/<kommun_slug>/sandlista")
def distribution(kommun_slug: str) -> ResponseReturnValue:
    """The kommun's distribution list: who receives the lägesbild and the protokoll."""
    return _page(coordinator_scope(kommun_slug))


@bp.route("/samordning/<kommun_slug>/sandlista/anvandare", methods=["POST"])
def add_distribution_user(kommun_slug: str) -> ResponseReturnValue:
    municipality = coordinator_scope(kommun_slug)
    form = _user_form(municipality, submitted=True)
    entry = save(
        form,
        lambda session: recipients.add_user(
            session, me(), municipality, form.user.data, _documents(form), now=utcnow()
        ),
    )
    if entry is not None:
        flash(_("%(name)s står nu på sändlistan.", name=entry.display_name), "success")
        return _back(municipality)
    return _page(municipality, user_form=form, status=400)


@bp.route("/samordning/<kommun_slug>/sandlista/extern", methods=["POST"])
def add_distribution_address(kommun_slug: str) -> ResponseReturnValue:
    municipality = coordinator_scope(kommun_slug)
    form = AddExternalForm(prefix="external")
    entry = save(
        form,
        lambda session: recipients.add_external(
            session,
            me(),
            municipality,
            email=form.email.data or "",
            name=form.name.data or "",
            documents=_documents(form),
            now=utcnow(),
        ),
    )
    if entry is not None:
        flash(_("%(address)s står nu på sändlistan.", address=entry.address), "success")
        return _back(municipality)
    return _page(municipality, external_form=form, status=400)


@bp.route("/samordning/<kommun_slug>/sandlista/<int:entry_id>", methods=["POST"])
def change_distribution_entry(kommun_slug: str, entry_id: int) -> ResponseReturnValue:
    municipality = coordinator_scope(kommun_slug)
    session = get_session()
    entry = recipients.find_entry(session, municipality, entry_id)
    if entry is None:
        abort(404)
    form = DocumentsForm(prefix=f"entry-{entry.id}")
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(
            _(
                "Välj minst ett dokument för %(name)s, eller ta bort mottagaren.",
                name=entry.display_name,
            ),
            "error",
        )
        return _back(municipality)
    changed = recipients.set_documents(session, me(), entry, _documents(form), now=utcnow())
    session.commit()
    if changed:
        flash(_("Ändringen för %(name)s är sparad.", name=entry.display_name), "success")
    return _back(municipality)


@bp.route("/samordning/<kommun_slug>/sandlista/<int:entry_id>/ta-bort", methods=["POST"])
def remove_distribution_entry(kommun_slug: str, entry_id: int) -> ResponseReturnValue:
    municipality = coordinator_scope(kommun_slug)
    session = get_session()
    entry = recipients.find_entry(session, municipality, entry_id)
    if entry is None:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    name = entry.display_name
    recipients.remove(session, me(), entry, now=utcnow())
    session.commit()
    flash(_("%(name)s är borttagen från sändlistan.", name=name), "success")
    return _back(municipality)


@bp.route("/samordning/<kommun_slug>/installningar/utskick", methods=["POST"])
def distribution_settings(kommun_slug: str) -> ResponseReturnValue:
    """When and how the lägesbild goes out, and the reminders to partners."""
    municipality = coordinator_scope(kommun_slug, observations=True)
    form = distribution_settings_form(municipality, formdata=request.form)

    def change(session: Session) -> bool:
        wanted = DistributionSettings(
            trigger=DistributionTrigger(form.trigger.data),
            mode=DistributionMode(form.mode.data),
            reminders_enabled=bool(form.reminders_enabled.data),
            reminder_weekday=form.reminder_weekday.data,
            reminder_time=form.reminder_time.data,
        )
        return recipients.set_distribution(session, me(), municipality, wanted, now=utcnow())

    changed = save(form, change)
    if changed is not None:
        flash(
            _("Inställningarna för utskick är sparade.") if changed else _("Inget ändrades."),
            "success" if changed else "info",
        )
        return redirect(url_for("coordination.settings", kommun_slug=municipality.slug))
    return render_settings(municipality, distribution_form=form)
