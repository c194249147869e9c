"""The distribution list and the distribution settings, as the coordinator uses them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from estapp.models import AuditEvent, DistributionMode, DistributionRecipient, DistributionTrigger
from tests.web.conftest import field_error, text_of

COORDINATOR = "samordnare@ekbacka.example"
LIST = "/samordning/ekbacka/sandlista"
SETTINGS = "/samordning/ekbacka/installningar"


def entries(db) -> list[DistributionRecipient]:
    db.rollback()
    db.expire_all()
    return list(db.scalars(select(DistributionRecipient).order_by(DistributionRecipient.id)))


def post_prefixed(web, path: str, prefix: str, data: dict, form_page: str = LIST):
    """Post a prefixed form: its CSRF token field carries the prefix too."""
    return web.post(
        path, {f"{prefix}-csrf_token": web.token(form_page), **data}, form_page=form_page
    )


def add_external(web, email: str, name: str = "", documents=("lagesbild", "protokoll")):
    return post_prefixed(
        web,
        f"{LIST}/extern",
        "external",
        {"external-email": email, "external-name": name, "external-documents": list(documents)},
    )


def add_user(web, name: str, documents=("lagesbild",)):
    return post_prefixed(
        web,
        f"{LIST}/anvandare",
        "user",
        {"user-user": user_option(web, name), "user-documents": list(documents)},
    )


def user_option(web, name: str) -> str:
    page = web.get(LIST).get_data(as_text=True)
    match = re.search(rf'<option value="(\d+)">{re.escape(name)}\b', page)
    if match is None:
        raise AssertionError(f"{name} is not offered")
    return match.group(1)


@pytest.fixture
def coordinator(login, demo):
    return login(COORDINATOR)


def test_an_empty_list_says_nobody_gets_the_picture(coordinator):
    page = text_of(coordinator.get(LIST))
    assert "Sändlistan är tom" in page
    assert "Lägesbilden skickas när du fastställer en version" in page


def test_the_coordinator_adds_a_user_and_an_external_address(coordinator, demo):
    response = add_user(coordinator, "Sara Holm")
    assert response.status_code == 302
    response = add_external(coordinator, " Trygghet@Bostad.Example ", "Trygghetsvärdar")
    assert response.status_code == 302
    page = text_of(coordinator.get(LIST))
    assert "Trygghetsvärdar" in page and "trygghet@bostad.example" in page
    assert "extern adress" in page
    listed = entries(demo)
    assert [(e.lagesbild, e.protokoll) for e in listed] == [(True, False), (True, True)]
    assert listed[1].email == "trygghet@bostad.example"
    actions = demo.scalars(select(AuditEvent.action)).all()
    assert actions.count("distribution_recipient_added") == 2


def test_a_user_already_listed_is_not_offered_again(coordinator):
    value = user_option(coordinator, "Sara Holm")
    assert add_user(coordinator, "Sara Holm").status_code == 302
    with pytest.raises(AssertionError):
        user_option(coordinator, "Sara Holm")
    again = post_prefixed(
        coordinator,
        f"{LIST}/anvandare",
        "user",
        {"user-user": value, "user-documents": ["lagesbild"]},
    )
    assert again.status_code == 400
    assert "inte redan står på sändlistan" in field_error(again, "user-user")


def test_another_kommuns_users_are_not_offered(coordinator):
    page = coordinator.get(LIST).get_data(as_text=True)
    assert "samordnare@sjovik.example" not in page
    assert "Lina Ek" not in page.split('id="user-user"')[1].split("</select>")[0]


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("inte en adress", "Skriv en giltig e-postadress"),
        ("", "Skriv en e-postadress"),
    ],
)
def test_a_bad_address_is_refused_at_the_field_and_kept(coordinator, demo, email, message):
    response = add_external(coordinator, email, "Fältassistenterna")
    assert response.status_code == 400
    assert message in field_error(response, "external-email")
    html = response.get_data(as_text=True)
    assert 'value="Fältassistenterna"' in html
    assert entries(demo) == []


def test_no_documents_chosen_is_refused(coordinator, demo):
    response = add_external(coordinator, "vakt@bevakning.example", documents=())
    assert response.status_code == 400
    assert "Välj minst ett dokument" in field_error(response, "external-documents")
    assert 'value="vakt@bevakning.example"' in response.get_data(as_text=True)
    assert entries(demo) == []


def test_the_same_address_twice_is_refused(coordinator, demo):
    add_external(coordinator, "vakt@bevakning.example")
    response = add_external(coordinator, "VAKT@bevakning.example")
    assert response.status_code == 400
    assert "redan på sändlistan" in field_error(response, "external-email")
    assert len(entries(demo)) == 1


def test_documents_can_be_changed_and_an_entry_removed(coordinator, demo):
    add_external(coordinator, "vakt@bevakning.example")
    entry = entries(demo)[0]
    response = post_prefixed(
        coordinator,
        f"{LIST}/{entry.id}",
        f"entry-{entry.id}",
        {f"entry-{entry.id}-documents": ["protokoll"]},
    )
    assert response.status_code == 302
    assert (entries(demo)[0].lagesbild, entries(demo)[0].protokoll) == (False, True)
    response = coordinator.post(f"{LIST}/{entry.id}/ta-bort", {}, form_page=LIST)
    assert response.status_code == 302
    assert entries(demo) == []
    assert "borttagen från sändlistan" in text_of(coordinator.get(LIST))


def test_another_kommuns_entry_cannot_be_touched(login, demo):
    sjovik = login("samordnare@sjovik.example")
    post_prefixed(
        sjovik,
        "/samordning/sjovik/sandlista/extern",
        "external",
        {"external-email": "sjo@exempel.example", "external-documents": ["lagesbild"]},
        form_page="/samordning/sjovik/sandlista",
    )
    entry = entries(demo)[0]
    sjovik.client.post("/logga-ut", data={"csrf_token": sjovik.token("/")})
    ekbacka = login(COORDINATOR)
    response = ekbacka.post(f"{LIST}/{entry.id}/ta-bort", {}, form_page=LIST)
    assert response.status_code == 404
    assert ekbacka.get("/samordning/sjovik/sandlista").status_code == 403
    assert len(entries(demo)) == 1


@pytest.mark.parametrize("email", ["skola@rapport.example", "lasare@ekbacka.example"])
def test_reporters_and_viewers_may_not_see_the_list(login, demo, email):
    assert login(email).get(LIST).status_code == 403


def test_a_post_without_csrf_changes_nothing(coordinator, demo):
    response = coordinator.client.post(
        f"{LIST}/extern",
        data={"external-email": "a@b.example", "external-documents": ["lagesbild"]},
    )
    assert response.status_code == 400
    assert entries(demo) == []


def test_the_coordinator_chooses_link_mode_and_friday_reminders_off(coordinator, find):
    response = coordinator.post(
        f"{SETTINGS}/utskick",
        {
            "trigger": "publish",
            "mode": "link",
            "reminder_weekday": "3",
            "reminder_time": "14:30",
        },
        form_page=SETTINGS,
    )
    assert response.status_code == 302
    ekbacka = find.municipality("Ekbacka")
    assert ekbacka.distribution_mode is DistributionMode.LINK
    assert ekbacka.reminders_enabled is False
    assert (ekbacka.reminder_weekday, ekbacka.reminder_time.strftime("%H:%M")) == (3, "14:30")
    page = text_of(coordinator.get(SETTINGS))
    assert "Inställningarna för utskick är sparade" in page
    assert "distribution_settings_changed" in find.actions()


def test_link_mode_on_compile_is_refused_at_the_field(coordinator, find):
    response = coordinator.post(
        f"{SETTINGS}/utskick",
        {
            "trigger": "compile",
            "mode": "link",
            "reminders_enabled": "y",
            "reminder_weekday": "4",
            "reminder_time": "12:00",
        },
        form_page=SETTINGS,
    )
    assert response.status_code == 400
    assert "bara ser fastställda lägesbilder" in field_error(response, "mode")
    html = response.get_data(as_text=True)
    assert (
        'value="compile" checked' in html
        or 'checked id="trigger-1"' in html
        or ('id="trigger-1"' in html and "checked" in html.split('id="trigger-1"')[0][-80:])
    )
    assert find.municipality("Ekbacka").distribution_trigger is DistributionTrigger.PUBLISH


def test_a_bad_reminder_time_is_refused_and_the_deadline_form_is_untouched(coordinator, find):
    response = coordinator.post(
        f"{SETTINGS}/utskick",
        {
            "trigger": "publish",
            "mode": "attachment",
            "reminders_enabled": "y",
            "reminder_weekday": "9",
            "reminder_time": "25:99",
        },
        form_page=SETTINGS,
    )
    assert response.status_code == 400
    assert "Välj en veckodag i listan" in field_error(response, "reminder_weekday")
    assert "TT:MM" in field_error(response, "reminder_time")
    assert 'value="25:99"' in response.get_data(as_text=True)
    assert find.municipality("Ekbacka").reminder_weekday == 4
