"""Admin pages: who may use them, that every page loads, kommuner and organisations."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.web.conftest import field_error, text_of

COORDINATOR = "samordnare@ekbacka.example"
REPORTER = "polis@rapport.example"
VIEWER = "lasare@ekbacka.example"


def admin_rules(app: Flask) -> list:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")),
        key=lambda rule: rule.rule,
    )


def demo_ids(find) -> dict[str, int]:
    """Existing ids for every URL argument of the admin pages, all in Ekbacka."""
    area = find.area("Ekbacka", "Centrum")
    return {
        "municipality_id": find.municipality("Ekbacka").id,
        "area_id": area.id,
        "place_id": find.place("Ekbacka", "Stora torget").id,
        "category_id": find.category("Ekbacka", "Klotter").id,
        "organisation_id": find.organisation("Ekbackahem AB").id,
        "user_id": find.user(COORDINATOR).id,
        "message_id": 1,  # the outbox is empty: a guessed id, refused before any look-up
    }


def build(rule, ids: dict[str, int]) -> str:
    return rule.build({name: ids[name] for name in rule.arguments}, append_unknown=False)[1]


def test_there_are_admin_routes_to_check(app):
    assert len(admin_rules(app)) > 25


def test_every_admin_page_loads_for_admin_with_one_h1_and_no_inline_code(app, admin, find):
    ids = demo_ids(find)
    for rule in admin_rules(app):
        if "GET" not in rule.methods:
            continue
        url = build(rule, ids)
        response = admin.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert page.count("<h1") == 1, url
        assert "<script" not in page and " style=" not in page, url
        for table in re.findall(r"<table.*?</table>", page, flags=re.S):
            assert "<caption" in table or "aria-label" in table, url
            assert 'scope="col"' in table, url
        wrapped = re.findall(
            r'<div class="table-wrap" role="region" aria-label="[^"]+" tabindex="0">\s*<table', page
        )
        assert len(wrapped) == page.count("<table"), url  # each table scrolls in its own region


@pytest.mark.parametrize("email", [COORDINATOR, REPORTER, VIEWER])
def test_other_roles_get_403_on_every_admin_url(app, login, demo, find, email):
    ids = demo_ids(find)
    web = login(email)
    token = web.token("/")
    for rule in admin_rules(app):
        url = build(rule, ids)
        for method in sorted(rule.methods & {"GET", "POST"}):
            if method == "GET":
                response = web.get(url)
            else:
                response = web.client.post(url, data={"csrf_token": token, "name": "x"})
            assert response.status_code == 403, f"{method} {url}"
    assert "Du har inte behörighet" in web.get("/admin/").get_data(as_text=True)


def test_anonymous_visitor_is_sent_to_login_from_every_admin_url(app, web, demo, find):
    ids = demo_ids(find)
    token = web.token("/logga-in")
    for rule in admin_rules(app):
        url = build(rule, ids)
        for method in sorted(rule.methods & {"GET", "POST"}):
            if method == "GET":
                response = web.get(url)
            else:
                response = web.client.post(url, data={"csrf_token": token})
            assert response.status_code == 302, f"{method} {url}"
            assert "/logga-in" in response.headers["Location"], f"{method} {url}"


def test_unknown_ids_give_the_404_page(admin, find):
    kommun = find.municipality("Ekbacka").id
    for url in [
        "/admin/kommuner/99999/andra",
        "/admin/kommuner/99999/omraden",
        "/admin/kommuner/99999/handelsetyper",
        f"/admin/kommuner/{kommun}/omraden/99999/andra",
        f"/admin/kommuner/{kommun}/platser/99999/andra",
        f"/admin/kommuner/{kommun}/handelsetyper/99999/andra",
        "/admin/aktorer/99999/andra",
        "/admin/anvandare/99999",
        "/admin/anvandare/99999999999999999999",  # beyond any database integer
    ]:
        response = admin.get(url)
        assert response.status_code == 404, url
        assert "Sidan finns inte" in response.get_data(as_text=True)


def test_objects_of_another_kommun_than_the_url_give_404(admin, find):
    sjovik = find.municipality("Sjövik").id
    area = find.area("Ekbacka", "Centrum").id
    place = find.place("Ekbacka", "Stora torget").id
    category = find.category("Ekbacka", "Klotter").id
    for url in [
        f"/admin/kommuner/{sjovik}/omraden/{area}/andra",
        f"/admin/kommuner/{sjovik}/omraden/{area}/ta-bort",
        f"/admin/kommuner/{sjovik}/platser/{place}/andra",
        f"/admin/kommuner/{sjovik}/platser/{place}/ta-bort",
        f"/admin/kommuner/{sjovik}/handelsetyper/{category}/andra",
        f"/admin/kommuner/{sjovik}/handelsetyper/{category}/ta-bort",
    ]:
        assert admin.get(url).status_code == 404, url
    response = admin.post(
        f"/admin/kommuner/{sjovik}/handelsetyper/{category}/inaktivera", {}, form_page="/admin/"
    )
    assert response.status_code == 404
    assert find.category("Ekbacka", "Klotter").active


def test_overview_links_to_every_section(admin, find):
    page = admin.get("/admin/").get_data(as_text=True)
    ekbacka = find.municipality("Ekbacka").id
    for href in [
        "/admin/kommuner",
        "/admin/aktorer",
        "/admin/anvandare",
        "/admin/logg",
        f"/admin/kommuner/{ekbacka}/omraden",
        f"/admin/kommuner/{ekbacka}/handelsetyper",
    ]:
        assert f'href="{href}"' in page, href


# --- kommuner -------------------------------------------------------------------------------


def test_create_kommun_lists_it_with_the_default_categories(admin, find):
    response = admin.post("/admin/kommuner/ny", {"name": "Lilla Edet", "slug": "lilla-edet"})
    assert response.status_code == 302
    page = admin.get(response.headers["Location"])
    assert "Kommunen Lilla Edet är skapad" in text_of(page)
    assert "Lilla Edet lilla-edet" in text_of(page)
    kommun = find.municipality("Lilla Edet")
    categories = text_of(admin.get(f"/admin/kommuner/{kommun.id}/handelsetyper"))
    assert "1 Skadegörelse" in categories and "11 Övrigt" in categories
    assert "municipality_created" in find.actions()


def test_slug_is_lowercased_and_checked(admin, find):
    response = admin.post("/admin/kommuner/ny", {"name": "Ale", "slug": "ALE"})
    assert response.status_code == 302
    assert find.municipality("Ale").slug == "ale"
    response = admin.post("/admin/kommuner/ny", {"name": "Åmål", "slug": "åmål"})
    assert response.status_code == 400
    assert "får bara innehålla a–z (inte å, ä, ö)" in field_error(response, "slug")
    assert find.municipality("Åmål") is None


def test_duplicate_slug_and_name_are_shown_at_the_field_and_the_form_keeps_the_input(admin, find):
    response = admin.post("/admin/kommuner/ny", {"name": "Nya Ekbacka", "slug": "ekbacka"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(response, "slug") == "Kortnamnet ekbacka används redan av en annan kommun."
    assert 'value="Nya Ekbacka"' in page and 'value="ekbacka"' in page
    assert "<title>Fel: Ny kommun" in page
    assert find.municipality("Nya Ekbacka") is None

    response = admin.post("/admin/kommuner/ny", {"name": "Sjövik", "slug": "sjovik-2"})
    assert field_error(response, "name") == "Det finns redan en kommun som heter Sjövik."
    assert 'value="sjovik-2"' in response.get_data(as_text=True)


def test_edit_kommun(admin, find):
    kommun = find.municipality("Sjövik")
    url = f"/admin/kommuner/{kommun.id}/andra"
    assert 'value="sjovik"' in admin.get(url).get_data(as_text=True)
    response = admin.post(url, {"name": "Sjövik", "slug": "ekbacka"})
    assert "används redan" in field_error(response, "slug")
    response = admin.post(url, {"name": "Sjöviks kommun", "slug": "sjoviks-kommun"})
    assert response.status_code == 302
    assert "Sjöviks kommun sjoviks-kommun" in text_of(admin.get("/admin/kommuner"))
    assert "municipality_updated" in find.actions()


def test_required_fields_have_swedish_messages(admin):
    response = admin.post("/admin/kommuner/ny", {"name": "  ", "slug": ""})
    assert field_error(response, "name") == "Skriv kommunens namn."
    assert field_error(response, "slug") == "Skriv ett kortnamn."
    assert 'href="#name"' in response.get_data(as_text=True)  # the error summary links there


def test_post_without_csrf_token_is_refused(admin, find):
    response = admin.client.post("/admin/kommuner/ny", data={"name": "Ale", "slug": "ale"})
    assert response.status_code == 400
    assert find.municipality("Ale") is None


# --- organisations --------------------------------------------------------------------------


def test_create_organisation_in_two_kommuner_and_filter_by_kommun(admin, find):
    ekbacka, sjovik = find.municipality("Ekbacka").id, find.municipality("Sjövik").id
    response = admin.post(
        "/admin/aktorer/ny",
        {"name": "Västtrafik", "kind": "kollektivtrafik", "municipalities": [ekbacka, sjovik]},
    )
    assert response.status_code == 302
    listing = text_of(admin.get(response.headers["Location"]))
    assert "Aktören Västtrafik är skapad" in listing
    assert "Västtrafik kollektivtrafik Ekbacka, Sjövik aktiv" in listing

    only_sjovik = text_of(admin.get(f"/admin/aktorer?kommun={sjovik}"))
    assert "Västtrafik" in only_sjovik
    assert "Sjövikshus AB" in only_sjovik and "Ekbackahem AB" not in only_sjovik
    assert "organisation_created" in find.actions()


def test_organisation_needs_a_kommun_and_a_unique_name(admin, find):
    response = admin.post("/admin/aktorer/ny", {"name": "Skolan", "kind": "skola"})
    assert response.status_code == 400
    assert (
        field_error(response, "municipalities") == "Välj minst en kommun som aktören samverkar i."
    )
    assert 'value="Skolan"' in response.get_data(as_text=True)
    assert '<option selected value="skola">' in response.get_data(as_text=True)

    ekbacka = find.municipality("Ekbacka").id
    response = admin.post(
        "/admin/aktorer/ny",
        {"name": "Ekbackahem AB", "kind": "bostadsbolag", "municipalities": [ekbacka]},
    )
    assert field_error(response, "name") == "Det finns redan en aktör som heter Ekbackahem AB."
    assert (
        f'checked id="municipalities-0" name="municipalities" type="checkbox" value="{ekbacka}"'
        in (response.get_data(as_text=True))
    )

    response = admin.post(
        "/admin/aktorer/ny", {"name": "Nytt", "kind": "hemligt", "municipalities": [ekbacka]}
    )
    assert response.status_code == 400
    assert find.organisation("Nytt") is None


def test_edit_organisation_kind_and_kommuner(admin, find):
    organisation = find.organisation("Ekbackahem AB")
    sjovik = find.municipality("Sjövik").id
    url = f"/admin/aktorer/{organisation.id}/andra"
    form = admin.get(url).get_data(as_text=True)
    assert '<option selected value="bostadsbolag">' in form
    response = admin.post(
        url, {"name": "Ekbackahem", "kind": "naringsliv", "municipalities": [sjovik]}
    )
    assert response.status_code == 302
    listing = text_of(admin.get("/admin/aktorer"))
    assert "Ekbackahem näringsliv och handel Sjövik" in listing
    changed = find.organisation("Ekbackahem")
    assert [m.name for m in changed.municipalities] == ["Sjövik"]


def test_deactivate_and_reactivate_organisation(admin, find):
    organisation = find.organisation("Tryggvakt Väst AB")
    response = admin.post(
        f"/admin/aktorer/{organisation.id}/inaktivera", {}, form_page="/admin/aktorer"
    )
    assert response.status_code == 302
    listing = text_of(admin.get("/admin/aktorer"))
    assert "Aktören Tryggvakt Väst AB är inaktiverad" in listing
    assert "Tryggvakt Väst AB bevakning (väktarbolag) Ekbacka, Sjövik inaktiv" in listing
    admin.post(f"/admin/aktorer/{organisation.id}/aktivera", {}, form_page="/admin/aktorer")
    assert "Tryggvakt Väst AB bevakning (väktarbolag) Ekbacka, Sjövik aktiv" in text_of(
        admin.get("/admin/aktorer")
    )
    actions = find.actions()
    assert "organisation_deactivated" in actions and "organisation_activated" in actions


def test_activation_routes_only_take_post(admin, find):
    organisation = find.organisation("Tryggvakt Väst AB")
    assert admin.get(f"/admin/aktorer/{organisation.id}/inaktivera").status_code == 405
    assert find.organisation("Tryggvakt Väst AB").active
