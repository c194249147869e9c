"""The audit log page: changes are logged and the page lists and filters them, read-only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from estapp.audit import record
from tests.web.conftest import ADMIN, field_error, text_of


def add_events(db, count: int, *, action: str, at: datetime, actor=None, municipality=None):
    for number in range(count):
        record(
            db,
            actor,
            action,
            "area",
            number + 1,
            municipality_id=municipality.id if municipality else None,
            details={"name": f"Händelse {number + 1}"},
            now=at + timedelta(seconds=number),
        )
    db.commit()


def log_rows(response) -> str:
    """The text of the log table's rows (the filter options above repeat the action names)."""
    page = text_of(response)
    assert "Tid Användare Händelse Gäller Kommun Detaljer" in page, page
    return page.split("Tid Användare Händelse Gäller Kommun Detaljer", 1)[1]


def test_changes_made_in_the_admin_pages_show_in_the_log_newest_first(admin, find):
    admin.post("/admin/kommuner/ny", {"name": "Ale", "slug": "ale"})
    kommun = find.municipality("Ale")
    admin.post(f"/admin/kommuner/{kommun.id}/andra", {"name": "Ale kommun", "slug": "ale"})
    page = log_rows(admin.get("/admin/logg"))
    changed = page.index("kommun ändrad")
    created = page.index("kommun skapad")
    assert changed < created  # newest first
    assert "Alva Admin admin@estapp.example kommun ändrad kommun #" in page
    assert "namn: Ale → Ale kommun" in page
    assert "namn: Ale kortnamn: ale" in page


def test_filter_by_action_actor_object_type_and_kommun(admin, db, find):
    sjovik = find.municipality("Sjövik")
    reporter = find.user("polis@rapport.example")
    add_events(db, 2, action="area_updated", at=datetime.now(UTC), municipality=sjovik)
    add_events(db, 1, action="report_submitted", at=datetime.now(UTC), actor=reporter)

    by_action = log_rows(admin.get("/admin/logg?handelse=report_submitted"))
    assert "veckorapport inskickad" in by_action and "Maria Lind" in by_action
    assert "område ändrat" not in by_action

    by_actor = log_rows(admin.get("/admin/logg?anvandare=POLIS@"))
    assert "veckorapport inskickad" in by_actor
    assert "Alva Admin" not in by_actor

    rows = log_rows(admin.get(f"/admin/logg?kommun={sjovik.id}"))
    assert "område ändrat" in rows and "veckorapport inskickad" not in rows
    assert "kommun skapad" in rows  # the demo created Sjövik

    by_type = log_rows(admin.get("/admin/logg?typ=user&handelse=login"))
    assert "inloggning användare" in by_type and "område ändrat" not in by_type
    assert "Alva Admin admin@estapp.example inloggning" in by_type

    nothing = text_of(admin.get("/admin/logg?anvandare=finns-inte"))
    assert "Inga händelser matchar filtret" in nothing


def test_filter_by_date_range_uses_swedish_dates(admin, db):
    # 23:30 UTC on 1 March is already 2 March in Stockholm.
    add_events(db, 1, action="late_evening", at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    add_events(db, 1, action="early_march", at=datetime(2026, 3, 1, 10, 0, tzinfo=UTC))
    add_events(db, 1, action="in_april", at=datetime(2026, 4, 2, 10, 0, tzinfo=UTC))

    second = log_rows(admin.get("/admin/logg?fran=2026-03-02&till=2026-03-02"))
    assert "late_evening" in second and "early_march" not in second and "in_april" not in second

    first = log_rows(admin.get("/admin/logg?fran=2026-03-01&till=2026-03-01"))
    assert "early_march" in first and "late_evening" not in first

    from_march = log_rows(admin.get("/admin/logg?fran=2026-03-01&till=2026-03-31"))
    assert "early_march" in from_march and "late_evening" in from_march
    assert "in_april" not in from_march


def test_bad_dates_get_swedish_messages_and_keep_the_input(admin):
    response = admin.get("/admin/logg?fran=1%20mars&till=2026-02-30")
    assert response.status_code == 400
    assert field_error(response, "fran") == "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-01."
    assert field_error(response, "till") == "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-01."
    assert 'value="1 mars"' in response.get_data(as_text=True)

    response = admin.get("/admin/logg?fran=2026-03-10&till=2026-03-01")
    assert field_error(response, "till") == "Till-datumet kan inte vara före från-datumet."


def test_log_is_paginated_fifty_to_a_page(admin, db):
    add_events(db, 120, action="bulk_event", at=datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    first = admin.get("/admin/logg?handelse=bulk_event")
    assert "Visar 1–50 av 120" in text_of(first)
    page = log_rows(first)
    assert page.count("bulk_event") == 50
    assert "Händelse 120" in page and "Händelse 71" in page and "Händelse 70" not in page
    html = first.get_data(as_text=True)
    assert 'href="/admin/logg?handelse=bulk_event&amp;sida=2"' in html

    third = text_of(admin.get("/admin/logg?handelse=bulk_event&sida=3"))
    assert "Visar 101–120 av 120" in third and "Händelse 1 Föregående sida" in third
    assert "Sida 3 av 3" in third and "Nästa sida" not in third
    assert "Visar 101–120" in text_of(admin.get("/admin/logg?handelse=bulk_event&sida=99"))


def test_log_is_read_only(app, admin):
    assert not [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint == "admin.audit_log" and rule.methods - {"GET", "HEAD", "OPTIONS"}
    ]
    assert admin.post("/admin/logg", {}, form_page="/admin/logg").status_code == 405


def test_invitation_and_deactivation_are_logged_with_the_acting_admin(admin, find):
    ekbacka = find.municipality("Ekbacka").id
    admin.post(
        "/admin/anvandare/bjud-in",
        {"email": "ny@x.example", "name": "Ny", "role": "viewer", "municipalities": [ekbacka]},
    )
    user = find.user("ny@x.example")
    url = f"/admin/anvandare/{user.id}"
    admin.post(f"{url}/inaktivera", {}, form_page=url)
    page = log_rows(admin.get("/admin/logg?anvandare=" + ADMIN))
    assert "användare inaktiverad" in page
    assert "inbjudningslänk skapad" in page and "användare skapad" in page
    assert "e-post: ny@x.example" in page
