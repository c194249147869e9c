"""Admin pages for user accounts: list, invite, change role and scope, deactivate."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session
from wtforms import SelectChoice

from estapp.admin import accounts, services
from estapp.admin.blueprint import bp
from estapp.admin.forms import InviteForm, UserFilterForm, UserForm
from estapp.admin.pages import (
    act,
    filter_choices,
    filter_form,
    filter_value,
    form_page,
    get_or_404,
    id_choices,
    page_number,
    save,
)
from estapp.admin.queries import paginate, users_query
from estapp.db import get_session, utcnow
from estapp.distribution.invitation_mail import queue_invitation
from estapp.models import User

USERS_PER_PAGE = 50
# The set-password link is shown once, on the page after the one that created it. It rides in
# the (signed, HttpOnly) session cookie for that one redirect, because there is no outbox yet.
INVITATION_KEY = "admin_invitation"


def _user_url(user: User) -> str:
    return url_for("admin.user", user_id=user.id)


@bp.route("/anvandare")
def users() -> ResponseReturnValue:
    """List users, filtered by role, kommun, organisation and status."""
    db = get_session()
    filters = filter_form(
        UserFilterForm,
        kommun=filter_choices(services.all_municipalities(db)),
        aktor=filter_choices(services.all_organisations(db)),
    )
    query = users_query(
        role=filter_value(filters, "roll"),
        municipality_id=filter_value(filters, "kommun"),
        organisation_id=filter_value(filters, "aktor"),
        active=None if filters.status.errors else filters.active,
    )
    page = paginate(db, query, page_number(), USERS_PER_PAGE)
    return render_template("admin/users.html", page=page, filters=filters), (
        400 if filters.errors else 200
    )


def _with_choices(form: InviteForm) -> InviteForm:
    db = get_session()
    form.organisation.choices = id_choices(
        services.all_organisations(db), empty=SelectChoice("", _("Ingen aktör"))
    )
    form.municipalities.choices = id_choices(services.all_municipalities(db))
    return form


def _send_invitation(db: Session, user: User, token: str) -> None:
    """Mail the link (queued in this transaction) and keep it to show the admin once."""
    link = queue_invitation(db, user, token, now=utcnow())
    session[INVITATION_KEY] = {"user_id": user.id, "link": link}


@bp.route("/anvandare/bjud-in", methods=["GET", "POST"])
def user_invite() -> ResponseReturnValue:
    """Create an account without a password and show its set-password link once."""
    form = _with_choices(InviteForm())

    def invite(db: Session) -> tuple[User, str]:
        user, token = accounts.invite_user(
            db,
            current_user,
            email=form.email.data or "",
            name=form.name.data or "",
            role=form.role.data,
            organisation=accounts.organisation_by_id(db, form.organisation.data),
            municipalities=services.municipalities_by_ids(db, form.municipalities.data or []),
            now=utcnow(),
        )
        _send_invitation(db, user, token)
        return user, token

    invited = save(form, invite)
    if invited is not None:
        user, _token = invited
        flash(
            _(
                "%(name)s är inbjuden. En e-post med länken skickas till %(email)s.",
                name=user.name,
                email=user.email,
            ),
            "success",
        )
        return redirect(_user_url(user))
    return form_page(
        form,
        title=_("Bjud in användare"),
        submit_label=_("Bjud in"),
        back_url=url_for("admin.users"),
        intro=_(
            "Användaren får en e-post med en länk där hen väljer sitt lösenord; länken gäller i "
            "7 dagar. Nästa sida visar också länken, om du hellre vill lämna den själv."
        ),
    )


@bp.route("/anvandare/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int) -> ResponseReturnValue:
    """Show a user and change their name, role, organisation or kommuner."""
    user = get_or_404(User, user_id)
    form = _with_choices(UserForm(obj=user))
    if not form.is_submitted():
        form.organisation.data = user.organisation_id
        form.municipalities.data = [m.id for m in user.municipalities]

    def update(db: Session) -> object:
        return accounts.update_user(
            db,
            current_user,
            user,
            name=form.name.data or "",
            role=form.role.data,
            organisation=accounts.organisation_by_id(db, form.organisation.data),
            municipalities=services.municipalities_by_ids(db, form.municipalities.data or []),
            now=utcnow(),
        )

    if save(form, update) is not None:
        flash(_("Ändringarna för %(name)s är sparade.", name=user.name), "success")
        return redirect(_user_url(user))
    invitation = session.get(INVITATION_KEY)
    link = None
    if invitation and invitation.get("user_id") == user.id:
        link = session.pop(INVITATION_KEY)["link"]
    return form_page(
        form,
        title=user.name,
        submit_label=_("Spara ändringar"),
        back_url=url_for("admin.users"),
        template="admin/user.html",
        user=user,
        invitation_link=link,
    )


@bp.route("/anvandare/<int:user_id>/ny-inbjudan", methods=["POST"])
def user_reinvite(user_id: int) -> ResponseReturnValue:
    """Issue a new set-password link; the previous one stops working."""
    user = get_or_404(User, user_id)

    def renew(db: Session) -> None:
        _send_invitation(db, user, accounts.renew_invitation(db, current_user, user, now=utcnow()))

    return act(
        renew,
        _(
            "En ny inbjudningslänk är skapad och skickas med e-post. Den tidigare länken "
            "fungerar inte längre."
        ),
        _user_url(user),
    )


@bp.route("/anvandare/<int:user_id>/inaktivera", methods=["POST"])
def user_deactivate(user_id: int) -> ResponseReturnValue:
    """Deactivate an account and log it out everywhere."""
    return _set_user_active(user_id, False)


@bp.route("/anvandare/<int:user_id>/aktivera", methods=["POST"])
def user_activate(user_id: int) -> ResponseReturnValue:
    """Reactivate an account."""
    return _set_user_active(user_id, True)


def _set_user_active(user_id: int, active: bool) -> ResponseReturnValue:
    user = get_or_404(User, user_id)
    message = (
        _("Kontot för %(name)s är aktivt igen.", name=user.name)
        if active
        else _("Kontot för %(name)s är inaktiverat och utloggat överallt.", name=user.name)
    )
    return act(
        lambda db: accounts.set_user_active(db, current_user, user, active, now=utcnow()),
        message,
        _user_url(user),
    )
