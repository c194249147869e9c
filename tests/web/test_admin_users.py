"""Admin pages for users: list and filters, invitations, role changes, deactivation."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from estapp.models import OutboxMessage
from tests.conftest import CsrfClient, log_in
from tests.web.conftest import ADMIN, field_error, text_of

REPORTER = "polis@rapport.example"
COORDINATOR = "samordnare@ekbacka.example"
LINK = re.compile(r'id="invitation-link" class="invitation-link" value="([^"]+)"')


def invitation_link(response) -> str:
    match = LINK.search(response.get_data(as_text=True))
    assert match, "no invitation link on the page"
    return match.group(1)


def invite(admin, **fields):
    data = {"email": "", "name": "", "role": "", "organisation": "", **fields}
    return admin.post("/admin/anvandare/bjud-in", data)


# --- list -----------------------------------------------------------------------------------


def test_user_list_filters(admin, find):
    everyone = text_of(admin.get("/admin/anvandare"))
    assert "Alva Admin" in everyone and "Maria Lind" in everyone and "Lars Läsare" in everyone

    reporters = text_of(admin.get("/admin/anvandare?roll=reporter"))
    assert "Maria Lind" in reporters and "Alva Admin" not in reporters

    sjovik = find.municipality("Sjövik").id
    in_sjovik = text_of(admin.get(f"/admin/anvandare?kommun={sjovik}"))
    assert "Samordnare Sjövik" in in_sjovik  # by their own kommuner
    assert "Karin Åberg" in in_sjovik  # a reporter, by the organisation's kommuner
    assert "Samordnare Ekbacka" not in in_sjovik and "Sara Holm" not in in_sjovik

    ekhem = find.organisation("Ekbackahem AB").id
    by_organisation = text_of(admin.get(f"/admin/anvandare?aktor={ekhem}"))
    assert "Omar Nilsson" in by_organisation and "Maria Lind" not in by_organisation

    assert "Inga användare matchar filtret" in text_of(
        admin.get("/admin/anvandare?status=inaktiva")
    )


def test_bad_filter_value_is_explained(admin):
    response = admin.get("/admin/anvandare?roll=kung")
    assert response.status_code == 400
    assert field_error(response, "roll") == "Välj ett av alternativen i listan."
    assert "Alva Admin" in text_of(response)  # the other filters still apply


# --- invitations ----------------------------------------------------------------------------


def test_invited_reporter_sets_a_password_with_the_link_and_logs_in(app, admin, find):
    organisation = find.organisation("Ekbackahem AB")
    response = invite(
        admin,
        email="Ny.Person@Ekbackahem.example",
        name="Ny Person",
        role="reporter",
        organisation=organisation.id,
    )
    assert response.status_code == 302
    page = admin.get(response.headers["Location"])
    assert (
        "Ny Person är inbjuden. En e-post med länken skickas till ny.person@ekbackahem.example"
        in (text_of(page))
    )
    link = invitation_link(page)
    assert link.startswith("http://localhost/konto/nytt-losenord/")
    # The same link goes out by e-mail, queued with the invitation.
    find.db.rollback()
    mail = find.db.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "ny.person@ekbackahem.example")
    )
    assert mail.subject == "Välkommen till estapp – välj ditt lösenord"
    assert link in mail.body_text and "Hej Ny Person!" in mail.body_text
    # The link is shown once: reloading the page does not show it again.
    assert not LINK.search(admin.get(response.headers["Location"]).get_data(as_text=True))
    assert "Ny Person" in text_of(admin.get("/admin/anvandare"))
    assert "inbjuden" in text_of(admin.get("/admin/anvandare?roll=reporter"))

    invited = CsrfClient(app.test_client())
    path = urlsplit(link).path
    assert "ny.person@ekbackahem.example" in invited.get(path).get_data(as_text=True)
    response = invited.post(path, {"password": "mitt-eget-lösen", "confirm": "mitt-eget-lösen"})
    assert response.status_code == 302
    assert log_in(invited, "ny.person@ekbackahem.example", "mitt-eget-lösen").status_code == 302
    start = text_of(invited.get("/"))
    assert "Hej Ny Person" in start and "Organisation: Ekbackahem AB" in start
    assert "invitation_issued" in find.actions()


def test_duplicate_email_is_shown_at_the_field_and_the_form_keeps_the_input(admin, find):
    ekbacka = find.municipality("Ekbacka").id
    response = invite(
        admin,
        email=" Samordnare@Ekbacka.example ",
        name="Dubbel Person",
        role="coordinator",
        municipalities=[ekbacka],
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(response, "email") == (
        "Det finns redan en användare med e-postadressen samordnare@ekbacka.example."
    )
    assert 'value="Dubbel Person"' in page
    assert '<option selected value="coordinator">' in page
    assert (
        f'checked id="municipalities-0" name="municipalities" type="checkbox" value="{ekbacka}"'
        in page
    )


def test_invitation_rules_for_each_role(admin, find):
    response = invite(admin, email="r@x.example", name="R", role="reporter")
    assert field_error(response, "organisation") == "En rapportör måste höra till en aktör."
    response = invite(admin, email="r@x.example", name="R", role="reporter", organisation=99999)
    assert field_error(response, "organisation") == "Den valda aktören finns inte."
    response = invite(admin, email="r@x.example", name="R", role="reporter", organisation="9" * 20)
    assert field_error(response, "organisation") == "Välj ett av alternativen i listan."
    response = invite(admin, email="s@x.example", name="S", role="coordinator")
    assert field_error(response, "municipalities") == (
        "Välj minst en kommun för en samordnare eller läsare."
    )
    response = invite(admin, email="v@x.example", name="V", role="viewer")
    assert "Välj minst en kommun" in field_error(response, "municipalities")
    response = invite(admin, email="inte-en-adress", name="X", role="admin")
    assert "Skriv en giltig e-postadress" in field_error(response, "email")
    response = invite(admin, email="x@x.example", name="X", role="")
    assert field_error(response, "role") == "Välj en roll."
    for email in ["r@x.example", "s@x.example", "v@x.example", "x@x.example"]:
        assert find.user(email) is None


def test_reporter_cannot_be_invited_to_an_inactive_organisation(admin, find):
    organisation = find.organisation("Sjövikshus AB")
    admin.post(f"/admin/aktorer/{organisation.id}/inaktivera", {}, form_page="/admin/aktorer")
    form = admin.get("/admin/anvandare/bjud-in").get_data(as_text=True)
    assert "Sjövikshus AB (inaktiv)" in form
    response = invite(
        admin, email="r@x.example", name="R", role="reporter", organisation=organisation.id
    )
    assert "Aktören Sjövikshus AB är inaktiv" in field_error(response, "organisation")


def test_new_invitation_replaces_the_old_link(app, admin, find):
    ekbacka = find.municipality("Ekbacka").id
    response = invite(
        admin, email="ny@ekbacka.example", name="Ny", role="viewer", municipalities=[ekbacka]
    )
    user_page = response.headers["Location"]
    first = urlsplit(invitation_link(admin.get(user_page))).path
    response = admin.post(f"{user_page}/ny-inbjudan", {}, form_page=user_page)
    page = admin.get(response.headers["Location"])
    assert "Den tidigare länken fungerar inte längre" in text_of(page)
    second = urlsplit(invitation_link(page)).path
    assert second != first
    other = app.test_client()
    assert other.get(first).status_code == 404
    assert other.get(second).status_code == 200
    find.db.rollback()
    mails = find.db.scalars(
        select(OutboxMessage.body_text).where(OutboxMessage.recipient == "ny@ekbacka.example")
    ).all()
    assert len(mails) == 2  # one per link, each carrying its own
    assert first in mails[0] and second in mails[1]


# --- changing users -------------------------------------------------------------------------


def test_change_reporter_into_coordinator(admin, find):
    user = find.user(REPORTER)
    sjovik = find.municipality("Sjövik").id
    url = f"/admin/anvandare/{user.id}"
    form = admin.get(url).get_data(as_text=True)
    assert '<option selected value="reporter">' in form
    assert f'<option selected value="{user.organisation_id}">' in form
    response = admin.post(
        url,
        {
            "name": "Maria Lind",
            "role": "coordinator",
            "organisation": "",
            "municipalities": [sjovik],
        },
    )
    assert response.status_code == 302
    assert "Ändringarna för Maria Lind är sparade" in text_of(admin.get(url))
    listing = text_of(admin.get("/admin/anvandare?roll=coordinator"))
    assert "Maria Lind polis@rapport.example samordnare Sjövik" in listing
    assert "user_updated" in find.actions()


def test_reporter_needs_an_organisation_when_the_role_changes(admin, find):
    user = find.user(COORDINATOR)
    response = admin.post(
        f"/admin/anvandare/{user.id}",
        {"name": user.name, "role": "reporter", "organisation": ""},
    )
    assert field_error(response, "organisation") == "En rapportör måste höra till en aktör."
    assert find.user(COORDINATOR).role == "coordinator"


def test_admin_cannot_remove_own_admin_role_or_deactivate_self(admin, find):
    me = find.user(ADMIN)
    url = f"/admin/anvandare/{me.id}"
    ekbacka = find.municipality("Ekbacka").id
    response = admin.post(
        url, {"name": me.name, "role": "coordinator", "municipalities": [ekbacka]}
    )
    assert field_error(response, "role") == "Du kan inte ta bort din egen administratörsroll."
    page = admin.get(url).get_data(as_text=True)
    assert "Inaktivera kontot" not in page
    response = admin.post(f"{url}/inaktivera", {}, form_page=url)
    assert "Du kan inte inaktivera ditt eget konto" in text_of(
        admin.get(response.headers["Location"])
    )
    me = find.user(ADMIN)
    assert me.active and me.role == "admin"


def test_deactivation_ends_the_users_live_session_and_reactivation_lets_them_back(app, admin, find):
    reporter = CsrfClient(app.test_client())
    assert log_in(reporter, REPORTER).status_code == 302
    assert reporter.get("/").status_code == 200

    user = find.user(REPORTER)
    url = f"/admin/anvandare/{user.id}"
    response = admin.post(f"{url}/inaktivera", {}, form_page=url)
    page = text_of(admin.get(response.headers["Location"]))
    assert "Kontot för Maria Lind är inaktiverat och utloggat överallt" in page
    assert "Maria Lind" in text_of(admin.get("/admin/anvandare?status=inaktiva"))

    response = reporter.get("/")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]
    assert "Kontot är avstängt" in log_in(reporter, REPORTER).get_data(as_text=True)

    admin.post(f"{url}/aktivera", {}, form_page=url)
    assert log_in(reporter, REPORTER).status_code == 302
    actions = find.actions()
    assert "user_deactivated" in actions and "user_activated" in actions
