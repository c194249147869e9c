"""Importing observations from CSV and XLSX files, and exporting the lists, through the pages."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, time, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from estapp.models import AuditEvent, Observation
from estapp.reporting import transfer, transfer_views
from estapp.retention.periods import first_kept_week
from tests.web.conftest import field_error, text_of
from tests.web.reporting_support import (
    COORDINATOR,
    SJOVIK_COORDINATOR,
    SKOLA,
    SOC,
    STOCKHOLM,
    VIEWER,
    add_observation,
    fresh,
    local_today,
    this_week,
)

REPORTER_IMPORT = "/rapport/ekbacka/import"
COORDINATOR_IMPORT = "/samordning/ekbacka/import"
SKOLA_ORG = "Ekbacka kommun, barn och utbildning"
SOC_ORG = "Ekbacka kommun, socialtjänsten"


def _day(weeks_back: int, weekday: int = 1):
    """A day in an earlier week (always in the past): Tuesday by default."""
    return this_week().shift(-weeks_back).monday + timedelta(days=weekday)


def _row(day, description="Sönderslagna bänkar vid lekplatsen.", **changes: str) -> list[str]:
    values = {
        "Datum": day.isoformat(),
        "Tid på dygnet": "kväll",
        "Klockslag": "",
        "Område": "Centrum",
        "Plats": "Stadsparken",
        "Annan plats": "",
        "Händelsetyp": "Skadegörelse",
        "Beskrivning": description,
        "Antal": "2",
        "Oro": "medel",
        **changes,
    }
    return [values[header] for header in (*transfer.HEADERS, "Organisation") if header in values]


def _csv(*rows: list[str], encoding: str = "cp1252", organisation: bool = False) -> bytes:
    """A file as Swedish Excel saves 'CSV (semikolonavgränsad)': Windows-1252, semicolons."""
    headers = [*transfer.HEADERS, *(["Organisation"] if organisation else [])]
    lines = [";".join(headers), *(";".join(row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _upload(web, path: str, data: bytes, filename: str = "händelser.csv", *, form_page=None):
    # Encoded here, in memory: for a large file the test client would spool the request body to
    # a temporary file that it never closes (a ResourceWarning, an error under filterwarnings).
    boundary, body = encode_multipart(
        {
            "csrf_token": web.token(form_page or path),
            "file": FileStorage(io.BytesIO(data), filename),
        }
    )
    return web.client.post(
        path, data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _count(db) -> int:
    return fresh(db).scalar(select(func.count()).select_from(Observation)) or 0


def _flash(response) -> str:
    return " ".join(re.findall(r'<p class="flash[^"]*">(.*?)</p>', response.get_data(as_text=True)))


# --- the import page --------------------------------------------------------------------------


def test_import_page_documents_the_columns_and_offers_templates(login, demo):
    web = login(SKOLA)

    page = web.get(REPORTER_IMPORT)

    assert page.status_code == 200
    shown = text_of(page)
    for name, explanation, _required in transfer.COLUMNS:
        assert name in shown and explanation in shown
    assert "Organisation" not in shown.split("Så ska filen se ut")[1]
    assert "importeras två gånger" in shown
    html = page.get_data(as_text=True)
    assert 'href="/rapport/ekbacka/import/mall.xlsx"' in html
    assert 'href="/rapport/ekbacka/import/mall.csv"' in html
    assert 'enctype="multipart/form-data"' in html


def test_templates_have_the_documented_headers(login, demo):
    web = login(SKOLA)

    xlsx = web.get("/rapport/ekbacka/import/mall.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).worksheets[0]
    assert [c.value for c in sheet[1]] == list(transfer.HEADERS)
    assert "attachment" in xlsx.headers["Content-Disposition"]
    plain = web.get("/rapport/ekbacka/import/mall.csv")
    assert plain.data.startswith(b"\xef\xbb\xbf")
    assert plain.data.decode("utf-8-sig").splitlines()[0] == ";".join(transfer.HEADERS)


def test_coordinator_template_has_the_organisation_column(login, demo):
    web = login(COORDINATOR)

    page = web.get(COORDINATOR_IMPORT)
    plain = web.get("/samordning/ekbacka/import/mall.csv")

    assert page.status_code == 200
    assert "Den rapporterande aktörens namn" in text_of(page)
    header, example = plain.data.decode("utf-8-sig").splitlines()[:2]
    assert header.endswith(";Organisation")
    rows = transfer.read_rows("mall.csv", plain.data, with_organisation=True)
    assert rows[0].values["Organisation"] == example.split(";")[-1] != ""


# --- importing --------------------------------------------------------------------------------


def test_reporter_imports_a_csv_from_swedish_excel(login, demo, db, find):
    web = login(SKOLA)
    data = _csv(_row(_day(1)), _row(_day(2), "Klotter på väggen vid ån.", Antal=""))

    response = _upload(web, REPORTER_IMPORT, data)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/rapport")
    summary = _flash(web.get("/rapport"))
    weeks = sorted([this_week().shift(-1).week, this_week().shift(-2).week])
    assert f"2 händelser importerades till vecka {weeks[0]} och {weeks[1]}." in summary
    saved = fresh(db).scalars(select(Observation).order_by(Observation.occurred_on)).all()
    assert [o.description for o in saved] == [
        "Klotter på väggen vid ån.",
        "Sönderslagna bänkar vid lekplatsen.",
    ]
    assert [o.occurrences for o in saved] == [1, 2]
    skola = find.organisation(SKOLA_ORG)
    assert {o.organisation_id for o in saved} == {skola.id}
    assert find.actions().count("observation_created") == 2
    event = fresh(db).scalar(select(AuditEvent).where(AuditEvent.action == "observations_imported"))
    assert event.details["count"] == 2
    assert event.details["organisations"] == [SKOLA_ORG]


def test_reporter_imports_an_xlsx_workbook(login, demo, db):
    web = login(SKOLA)
    book = Workbook()
    sheet = book.active
    sheet.append(list(transfer.HEADERS))
    day = _day(1, weekday=3)
    row = _row(day, "Nedskräpning vid återvinningen.", Händelsetyp="Nedskräpning")
    row[0] = day  # Excel keeps a date cell, not text
    sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)

    response = _upload(web, REPORTER_IMPORT, buffer.getvalue(), "rapport.xlsx")

    assert response.status_code == 302
    saved = fresh(db).scalar(select(Observation))
    assert saved.occurred_on == day
    assert saved.description == "Nedskräpning vid återvinningen."
    assert saved.category.name == "Nedskräpning"


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row(login, demo, db):
    web = login(SKOLA)
    bad = _row(_day(1), Plats="Torget som inte finns", Oro="jättehög")
    data = _csv(_row(_day(1)), bad, _row(_day(2)))

    response = _upload(web, REPORTER_IMPORT, data)

    assert response.status_code == 400
    shown = text_of(response)
    assert "Inget importerades" in shown
    assert "1 rad i filen behöver rättas" in shown
    assert "Rad 3" in shown and "Rad 2" not in shown and "Rad 4" not in shown
    assert "&#39;Torget som inte finns&#39; finns inte i området Centrum" in shown
    assert "Oro: skriv låg, medel eller hög." in shown
    assert _count(db) == 0


def _error_rows(response) -> dict[str, str]:
    """The table of rows to fix, as {'Rad 3': what to fix}."""
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", response.get_data(as_text=True), re.S):
        cells = [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip()
            for c in re.split(r"</t[hd]>", row)
        ]
        if cells[0].startswith("Rad "):
            found[cells[0]] = cells[1]
    return found


def test_a_row_older_than_the_retention_period_is_refused_with_the_limit(login, demo, db):
    web = login(SKOLA)
    first_kept = first_kept_week(local_today(), 24)
    too_old = first_kept.shift(-1)
    # The week holding the limit is kept whole, so even its Monday is accepted.
    kept_row = _row(first_kept.monday)
    data = _csv(kept_row, _row(too_old.sunday, "Klotter på muren vid skolan."))

    page = text_of(web.get(REPORTER_IMPORT))
    assert f"Händelser från veckor före vecka {first_kept.week}, {first_kept.year} kan inte" in page
    assert "kommunens gallringsfrist (24 månader)" in page
    response = _upload(web, REPORTER_IMPORT, data)

    assert response.status_code == 400
    assert "1 rad i filen behöver rättas" in text_of(response)
    assert _error_rows(response) == {
        "Rad 3": f"Veckan {too_old} är äldre än kommunens gallringsfrist (24 månader) och kan "
        f"inte läggas in. Händelser sparas från och med {first_kept}."
    }
    assert _count(db) == 0
    assert _upload(web, REPORTER_IMPORT, _csv(kept_row)).status_code == 302
    assert _count(db) == 1


def test_a_personnummer_in_a_row_is_refused(login, demo, db):
    web = login(SKOLA)
    data = _csv(_row(_day(1), "Bråk med 19121212-1212 vid entrén."))

    response = _upload(web, REPORTER_IMPORT, data)

    assert response.status_code == 400
    assert "Rad 2" in text_of(response)
    assert "personnummer" in text_of(response)
    assert _count(db) == 0


def test_the_same_file_twice_is_refused_as_already_there(login, demo, db):
    web = login(SKOLA)
    data = _csv(_row(_day(1)), _row(_day(1), "Krossad ruta i busskuren."))
    assert _upload(web, REPORTER_IMPORT, data).status_code == 302

    again = _upload(web, REPORTER_IMPORT, data)

    assert again.status_code == 400
    shown = text_of(again)
    assert "Rad 2" in shown and "Rad 3" in shown
    assert "Händelsen finns redan" in shown
    assert _count(db) == 2


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("rapport.pdf", b"%PDF-1.7 not a table", "Välj en CSV-fil (.csv) eller en Excel-arbetsbok"),
        ("rapport.csv", b"", "Filen är tom."),
        ("rapport.csv", b"Datum;Plats\r\n2026-11-17;Torget\r\n", "Kolumnerna stämmer inte"),
        ("rapport.csv", b"\x81\x8d\x8f\x90" * 40, "teckenkodning"),
        ("rapport.xlsx", b"PK but not really a workbook", "går inte att öppna som Excel"),
        ("rapport.csv", b"x" * (transfer.MAX_FILE_BYTES + 1024), "Filen är för stor"),
    ],
    ids=["not-csv", "empty", "wrong-columns", "wrong-encoding", "broken-xlsx", "too-large"],
)
def test_an_unusable_file_gets_a_message_at_the_field(login, demo, db, filename, data, message):
    web = login(SKOLA)
    add_observation(db, SKOLA, this_week().shift(-1))
    before = _count(db)

    response = _upload(web, REPORTER_IMPORT, data, filename)

    assert response.status_code == 400
    assert message in field_error(response, "file")
    assert "Något behöver rättas" in text_of(response)
    assert _count(db) == before


def test_posting_without_a_file_asks_for_one(login, demo):
    web = login(SKOLA)

    response = web.post(REPORTER_IMPORT, {}, content_type="multipart/form-data")

    assert response.status_code == 400
    assert field_error(response, "file") == "Välj en fil att importera."


def test_coordinator_imports_rows_of_several_partners(login, demo, db, find):
    web = login(COORDINATOR)
    data = _csv(
        [*_row(_day(1)), SKOLA_ORG],
        [
            *_row(_day(1), "Skräp vid tvättstugan.", Plats="", **{"Annan plats": "Bakgården"}),
            SOC_ORG,
        ],
        organisation=True,
    )

    response = _upload(web, COORDINATOR_IMPORT, data)

    assert response.status_code == 302
    assert "/samordning/ekbacka/handelser?" in response.headers["Location"]
    owners = {
        o.description: o.organisation_id for o in fresh(db).scalars(select(Observation)).all()
    }
    assert owners == {
        "Sönderslagna bänkar vid lekplatsen.": find.organisation(SKOLA_ORG).id,
        "Skräp vid tvättstugan.": find.organisation(SOC_ORG).id,
    }


def test_coordinator_file_with_an_unknown_organisation_imports_nothing(login, demo, db):
    web = login(COORDINATOR)
    data = _csv(
        [*_row(_day(1)), SKOLA_ORG],
        [*_row(_day(1)), "Sjövikshus AB"],  # a partner of Sjövik, not of Ekbacka
        organisation=True,
    )

    response = _upload(web, COORDINATOR_IMPORT, data)

    assert response.status_code == 400
    assert "Rad 3" in text_of(response)
    assert "Organisation: okänd" in text_of(response)
    assert _count(db) == 0


@pytest.mark.parametrize(
    ("email", "path"),
    [
        (SKOLA, "/rapport/sjovik/import"),  # the school takes part in Ekbacka only
        (SKOLA, COORDINATOR_IMPORT),
        (SJOVIK_COORDINATOR, COORDINATOR_IMPORT),
        (COORDINATOR, REPORTER_IMPORT),
        (VIEWER, COORDINATOR_IMPORT),
        (VIEWER, REPORTER_IMPORT),
    ],
)
def test_import_into_a_kommun_or_role_not_ones_own_is_forbidden(login, demo, db, email, path):
    web = login(email)
    data = _csv([*_row(_day(1)), SKOLA_ORG], organisation=True)

    assert web.get(path).status_code == 403
    assert web.get(path + "/mall.xlsx").status_code == 403
    response = _upload(web, path, data, "h.csv", form_page="/konto")
    assert response.status_code == 403
    assert _count(db) == 0


# --- export -----------------------------------------------------------------------------------


def _read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _filename(response) -> str:
    return re.search(r'filename="?([^";]+)', response.headers["Content-Disposition"])[1]


@pytest.fixture
def three_observations(demo, db):
    """Skola and socialtjänsten last week, and skola four weeks ago."""
    last = this_week().shift(-1)
    in_time = datetime.combine(last.sunday, time(12), tzinfo=STOCKHOLM)  # before the deadline
    for email, description in (
        (SKOLA, "Klotter på förskolans vägg, blå färg."),
        (SOC, "Öppen droghantering vid gångtunneln."),
    ):
        add_observation(db, email, last, now=in_time, description=description)
    add_observation(db, SKOLA, this_week().shift(-4), description="Gammal händelse.")
    return last


def test_coordinator_exports_the_filtered_list_as_csv(login, find, three_observations):
    last = three_observations
    web = login(COORDINATOR)
    skola = find.organisation(SKOLA_ORG)
    query = f"fran={last}&till={last}&aktor={skola.id}"
    listing = web.get(f"/samordning/ekbacka/handelser?{query}")
    link = re.search(r'href="(/samordning/ekbacka/handelser\.csv\?[^"]+)"', listing.text)[1]

    response = web.get(link.replace("&amp;", "&"))

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert _filename(response) == f"handelser-ekbacka-{last}-{last}.csv"
    rows = _read_csv(response.data)
    assert rows[0] == list(transfer_views.EXPORT_HEADERS)
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Beskrivning"] == "Klotter på förskolans vägg, blå färg."
    assert row["Organisation"] == SKOLA_ORG
    assert row["Vecka"] == str(last)
    assert row["Händelsetyp"] == "Skadegörelse"
    assert row["Klockslag"] == "22:15"
    assert row["Tid på dygnet"] == "kväll"
    assert row["Oro"] == "hög"
    assert (row["Sen"], row["Rättad av samordnaren"]) == ("nej", "nej")


def test_coordinator_exports_every_matching_row_as_xlsx(login, three_observations, monkeypatch):
    last = three_observations
    web = login(COORDINATOR)
    monkeypatch.setattr("estapp.reporting.coordination_views.OBSERVATIONS_PER_PAGE", 1)

    response = web.get(f"/samordning/ekbacka/handelser.xlsx?fran={last.shift(-5)}&till={last}")

    assert response.status_code == 200
    assert _filename(response) == f"handelser-ekbacka-{last.shift(-5)}-{last}.xlsx"
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(transfer_views.EXPORT_HEADERS)
    descriptions = {r[7] for r in rows[1:]}
    assert descriptions == {
        "Klotter på förskolans vägg, blå färg.",
        "Öppen droghantering vid gångtunneln.",
        "Gammal händelse.",
    }


def test_the_list_links_to_an_export_of_exactly_the_weeks_shown(login, three_observations):
    web = login(COORDINATOR)

    listing = web.get("/samordning/ekbacka/handelser")

    links = re.findall(r'href="(/samordning/ekbacka/handelser\.(?:xlsx|csv)\?[^"]+)"', listing.text)
    assert len(links) == 2
    current = this_week()
    assert f"fran={current.shift(-3)}" in links[0] and f"till={current}" in links[0]
    rows = _read_csv(web.get(links[1].replace("&amp;", "&")).data)
    assert {r[7] for r in rows[1:]} == {
        "Klotter på förskolans vägg, blå färg.",
        "Öppen droghantering vid gångtunneln.",
    }


def test_an_export_over_the_cap_is_refused_with_a_message(login, three_observations, monkeypatch):
    web = login(COORDINATOR)
    monkeypatch.setattr(transfer_views, "MAX_EXPORT_ROWS", 1)

    response = web.get("/samordning/ekbacka/handelser.csv", follow_redirects=True)

    assert response.request.path == "/samordning/ekbacka/handelser"
    assert "Högst 1 kan laddas ner" in _flash(response)


def test_reporter_export_holds_only_their_organisation(login, three_observations, db):
    web = login(SKOLA)
    history = web.get("/rapport/ekbacka/historik")
    assert 'href="/rapport/ekbacka/handelser.xlsx"' in history.text

    response = web.get("/rapport/ekbacka/handelser.xlsx")

    assert response.status_code == 200
    assert _filename(response).startswith("handelser-ekbacka-")
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))[1:]
    assert {r[10] for r in rows} == {SKOLA_ORG}
    assert {r[7] for r in rows} == {"Klotter på förskolans vägg, blå färg.", "Gammal händelse."}
    plain = _read_csv(web.get("/rapport/ekbacka/handelser.csv").data)
    assert len(plain) == 3
    assert all(SOC_ORG not in cell for row in plain for cell in row)


@pytest.mark.parametrize(
    ("email", "path"),
    [
        (VIEWER, "/samordning/ekbacka/handelser.csv"),
        (SJOVIK_COORDINATOR, "/samordning/ekbacka/handelser.xlsx"),
        (SKOLA, "/samordning/ekbacka/handelser.csv"),
        (SKOLA, "/rapport/sjovik/handelser.csv"),
        (COORDINATOR, "/rapport/ekbacka/handelser.xlsx"),
    ],
)
def test_export_is_forbidden_outside_ones_own_data(login, demo, email, path):
    assert login(email).get(path).status_code == 403
