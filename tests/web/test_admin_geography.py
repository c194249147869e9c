"""Admin pages for a kommun's areas, places and categories."""

from __future__ import annotations

import json

from tests.web.conftest import field_error, text_of

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[13.9, 58.4], [13.91, 58.4], [13.91, 58.41], [13.9, 58.41], [13.9, 58.4]]],
}


def areas_url(find, kommun: str = "Ekbacka") -> str:
    return f"/admin/kommuner/{find.municipality(kommun).id}/omraden"


# --- areas ----------------------------------------------------------------------------------


def test_areas_page_lists_areas_with_their_places(admin, find):
    page = text_of(admin.get(areas_url(find)))
    assert "Områden och platser i Ekbacka" in page
    assert "Centrum Gräns inritad." in page
    assert "Stora torget 58." in page  # the place with its coordinates
    assert "Resecentrum" in page and "Busstationen" not in page  # Sjövik's stays out


def test_create_sub_area_with_polygon(admin, find):
    centrum = find.area("Ekbacka", "Centrum")
    response = admin.post(
        f"{areas_url(find)}/nytt",
        {"name": "Stationsområdet", "parent": centrum.id, "geojson": json.dumps(SQUARE)},
    )
    assert response.status_code == 302
    page = text_of(admin.get(response.headers["Location"]))
    assert "Området Stationsområdet är skapat" in page
    assert "Centrum › Stationsområdet Gräns inritad." in page
    area = find.area("Ekbacka", "Stationsområdet")
    assert area.parent_id == centrum.id
    assert area.geojson == SQUARE
    assert "area_created" in find.actions()


def test_a_geojson_feature_is_stored_as_its_geometry(admin, find):
    feature = {"type": "Feature", "properties": {"namn": "x"}, "geometry": SQUARE}
    admin.post(f"{areas_url(find)}/nytt", {"name": "Hamnen", "geojson": json.dumps(feature)})
    assert find.area("Ekbacka", "Hamnen").geojson == SQUARE


def test_invalid_geojson_is_explained_and_the_text_is_kept(admin, find):
    url = f"{areas_url(find)}/nytt"
    response = admin.post(url, {"name": "Skogen", "geojson": '{"type": "Polygon", '})
    assert response.status_code == 400
    assert "Texten är inte giltig JSON" in field_error(response, "geojson")
    assert "{&#34;type&#34;: &#34;Polygon&#34;, </textarea>" in response.get_data(as_text=True)

    open_ring = {
        "type": "Polygon",
        "coordinates": [[[13.9, 58.4], [14, 58.4], [14, 58.5], [13.9, 58.5]]],
    }
    response = admin.post(url, {"name": "Skogen", "geojson": json.dumps(open_ring)})
    assert "är inte sluten" in field_error(response, "geojson")

    point = {"type": "Point", "coordinates": [13.9, 58.4]}
    response = admin.post(url, {"name": "Skogen", "geojson": json.dumps(point)})
    assert "Polygon eller MultiPolygon" in field_error(response, "geojson")
    assert 'value="Skogen"' in response.get_data(as_text=True)
    assert find.area("Ekbacka", "Skogen") is None


def test_edit_area_shows_its_polygon_and_can_remove_it(admin, find):
    area = find.area("Ekbacka", "Norrmalm")
    url = f"{areas_url(find)}/{area.id}/andra"
    form = admin.get(url).get_data(as_text=True)
    assert "&#34;Polygon&#34;" in form
    response = admin.post(url, {"name": "Norrmalm", "parent": "", "geojson": ""})
    assert response.status_code == 302
    assert "Norrmalm Ingen gräns inritad." in text_of(admin.get(areas_url(find)))
    assert find.area("Ekbacka", "Norrmalm").geojson is None


def test_area_cannot_be_placed_in_itself_or_its_sub_area(admin, find):
    centrum = find.area("Ekbacka", "Centrum")
    admin.post(f"{areas_url(find)}/nytt", {"name": "Stationen", "parent": centrum.id})
    child = find.area("Ekbacka", "Stationen")
    url = f"{areas_url(find)}/{centrum.id}/andra"
    options = admin.get(url).get_data(as_text=True)
    assert f'value="{child.id}"' not in options  # not offered
    response = admin.post(url, {"name": "Centrum", "parent": child.id})
    assert response.status_code == 400
    assert "kan inte ligga i sig självt" in field_error(response, "parent")
    response = admin.post(url, {"name": "Centrum", "parent": centrum.id})
    assert "kan inte ligga i sig självt" in field_error(response, "parent")
    assert find.area("Ekbacka", "Centrum").parent_id is None


def test_parent_area_must_be_in_the_same_kommun(admin, find):
    sjovik_area = find.area("Sjövik", "Hamnen") or find.area("Sjövik", "Centrum")
    response = admin.post(f"{areas_url(find)}/nytt", {"name": "Ny", "parent": sjovik_area.id})
    assert field_error(response, "parent") == "Det valda området finns inte i kommunen."
    assert find.area("Ekbacka", "Ny") is None


def test_duplicate_area_name_in_the_kommun(admin, find):
    response = admin.post(f"{areas_url(find)}/nytt", {"name": "Centrum"})
    assert (
        field_error(response, "name") == "Det finns redan ett område som heter Centrum i Ekbacka."
    )
    # The same name in another kommun is fine.
    assert admin.post(f"{areas_url(find, 'Sjövik')}/nytt", {"name": "Sjöängen"}).status_code == 302


def test_area_with_places_is_not_deleted_but_an_empty_one_is(admin, find):
    centrum = find.area("Ekbacka", "Centrum")
    url = f"{areas_url(find)}/{centrum.id}/ta-bort"
    assert "Vill du ta bort området Centrum i Ekbacka?" in text_of(admin.get(url))
    response = admin.post(url, {})
    page = text_of(admin.get(response.headers["Location"]))
    assert "Området har platser eller delområden" in page
    assert find.area("Ekbacka", "Centrum") is not None

    admin.post(f"{areas_url(find)}/nytt", {"name": "Tomt område"})
    empty = find.area("Ekbacka", "Tomt område")
    response = admin.post(f"{areas_url(find)}/{empty.id}/ta-bort", {})
    assert "Området Tomt område är borttaget" in text_of(admin.get(response.headers["Location"]))
    assert find.area("Ekbacka", "Tomt område") is None
    assert "area_deleted" in find.actions()


# --- places ---------------------------------------------------------------------------------


def places_url(find, kommun: str = "Ekbacka") -> str:
    return f"/admin/kommuner/{find.municipality(kommun).id}/platser"


def test_create_place_with_swedish_decimal_commas(admin, find):
    area = find.area("Ekbacka", "Sjöängen")
    form = admin.get(f"{places_url(find)}/ny?omrade={area.id}").get_data(as_text=True)
    assert f'<option selected value="{area.id}">' in form  # preselected from the area's link
    response = admin.post(
        f"{places_url(find)}/ny",
        {"name": "Bollplanen", "area": area.id, "latitude": "58,4051", "longitude": "13,8790"},
    )
    assert response.status_code == 302
    assert "Bollplanen 58.40510, 13.87900" in text_of(admin.get(response.headers["Location"]))
    place = find.place("Ekbacka", "Bollplanen")
    assert (place.latitude, place.longitude) == (58.4051, 13.879)


def test_place_coordinates_are_checked(admin, find):
    area = find.area("Ekbacka", "Centrum").id
    url = f"{places_url(find)}/ny"
    response = admin.post(url, {"name": "P", "area": area, "latitude": "91", "longitude": "13"})
    assert field_error(response, "latitude") == "Latituden ska vara mellan −90 och 90."
    response = admin.post(url, {"name": "P", "area": area, "latitude": "58", "longitude": "181"})
    assert field_error(response, "longitude") == "Longituden ska vara mellan −180 och 180."
    response = admin.post(url, {"name": "P", "area": area, "latitude": "norr", "longitude": ""})
    assert field_error(response, "latitude") == "Skriv ett decimaltal, till exempel 57,7089."
    assert 'value="norr"' in response.get_data(as_text=True)
    response = admin.post(url, {"name": "P", "area": area, "latitude": "58.4", "longitude": ""})
    assert "Ange både latitud och longitud" in field_error(response, "longitude")
    response = admin.post(url, {"name": "P", "area": ""})
    assert field_error(response, "area") == "Välj vilket område platsen ligger i."
    assert find.place("Ekbacka", "P") is None
    assert admin.post(url, {"name": "P", "area": area}).status_code == 302  # no position is fine


def test_place_cannot_go_to_an_area_of_another_kommun(admin, find):
    sjovik_area = find.area("Sjövik", "Centrum")
    place = find.place("Ekbacka", "Stora torget")
    url = f"{places_url(find)}/{place.id}/andra"
    response = admin.post(url, {"name": "Stora torget", "area": sjovik_area.id})
    assert field_error(response, "area") == "Det valda området finns inte i kommunen."
    assert find.place("Ekbacka", "Stora torget") is not None


def test_edit_and_delete_place(admin, find):
    place = find.place("Ekbacka", "Garagen")
    norrmalm = find.area("Ekbacka", "Norrmalm")
    response = admin.post(
        f"{places_url(find)}/{place.id}/andra",
        {"name": "Garagen vid Sjöängen", "area": norrmalm.id, "latitude": "", "longitude": ""},
    )
    assert response.status_code == 302
    moved = find.place("Ekbacka", "Garagen vid Sjöängen")
    assert moved.area_id == norrmalm.id and moved.latitude is None

    response = admin.post(f"{places_url(find)}/{place.id}/ta-bort", {})
    assert "Platsen Garagen vid Sjöängen är borttagen" in text_of(
        admin.get(response.headers["Location"])
    )
    assert find.place("Ekbacka", "Garagen vid Sjöängen") is None
    actions = find.actions()
    assert "place_updated" in actions and "place_deleted" in actions


def test_duplicate_place_name_in_the_area(admin, find):
    area = find.area("Ekbacka", "Centrum").id
    response = admin.post(f"{places_url(find)}/ny", {"name": "Biblioteket", "area": area})
    assert "Det finns redan en plats som heter Biblioteket" in field_error(response, "name")


# --- categories -----------------------------------------------------------------------------


def categories_url(find, kommun: str = "Ekbacka") -> str:
    return f"/admin/kommuner/{find.municipality(kommun).id}/handelsetyper"


def test_categories_are_listed_in_order_and_new_ones_come_last(admin, find):
    response = admin.post(f"{categories_url(find)}/ny", {"name": "Buskörning"})
    assert response.status_code == 302
    page = text_of(admin.get(response.headers["Location"]))
    assert "Händelsetypen Buskörning är tillagd" in page
    assert page.index("1 Skadegörelse") < page.index("2 Klotter") < page.index("12 Buskörning")
    assert "Buskörning" not in text_of(admin.get(categories_url(find, "Sjövik")))


def test_rename_category_and_duplicate_name(admin, find):
    category = find.category("Ekbacka", "Trafik")
    url = f"{categories_url(find)}/{category.id}/andra"
    response = admin.post(url, {"name": "Klotter"})
    assert field_error(response, "name") == (
        "Det finns redan en händelsetyp som heter Klotter i Ekbacka."
    )
    response = admin.post(url, {"name": "Trafik och parkering"})
    page = text_of(admin.get(response.headers["Location"]))
    assert "Händelsetypen Trafik heter nu Trafik och parkering" in page
    assert "10 Trafik och parkering aktiv" in page
    assert "category_renamed" in find.actions()


def test_deactivate_and_reactivate_category(admin, find):
    category = find.category("Ekbacka", "Nedskräpning")
    url = categories_url(find)
    admin.post(f"{url}/{category.id}/inaktivera", {}, form_page=url)
    page = text_of(admin.get(url))
    assert "Händelsetypen Nedskräpning är inaktiverad" in page
    assert "3 Nedskräpning inaktiv" in page
    admin.post(f"{url}/{category.id}/aktivera", {}, form_page=url)
    assert "3 Nedskräpning aktiv" in text_of(admin.get(url))


def test_unused_category_is_deleted_after_confirmation(admin, find):
    category = find.category("Ekbacka", "Övrigt")
    url = f"{categories_url(find)}/{category.id}/ta-bort"
    assert "Vill du ta bort händelsetypen Övrigt i Ekbacka?" in text_of(admin.get(url))
    assert find.category("Ekbacka", "Övrigt") is not None  # asking deletes nothing
    response = admin.post(url, {})
    page = text_of(admin.get(response.headers["Location"]))
    assert "Händelsetypen Övrigt är borttagen" in page
    assert "Övrigt" not in page.replace("Händelsetypen Övrigt är borttagen", "")
    assert find.category("Ekbacka", "Övrigt") is None
    assert "category_deleted" in find.actions()


def test_used_category_is_not_deleted_but_can_be_deactivated(admin, find, db):
    from estapp.weeks import IsoWeek
    from tests.web.reporting_support import SKOLA, add_observation

    add_observation(db, SKOLA, IsoWeek(2026, 40), category_name="Klotter")
    category = find.category("Ekbacka", "Klotter")
    url = f"{categories_url(find)}/{category.id}/ta-bort"
    response = admin.post(url, {})
    page = text_of(admin.get(response.headers.get("Location", url)))
    assert "Händelsetypen används och kan inte tas bort; inaktivera den i stället." in (
        page + text_of(response)
    )
    assert find.category("Ekbacka", "Klotter") is not None
    assert "category_deleted" not in find.actions()
