"""Importing observations from CSV and XLSX files as Swedish Excel saves them."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from estapp.models import Municipality, Observation, Organisation, User
from estapp.reporting import transfer
from estapp.reporting.importing import import_observations, plan_import

TODAY = date(2026, 11, 23)
GOOD = "2026-11-18;kväll;21:30;Centrum;Stadsparken;;Skadegörelse;Sönderslagna bänkar.;2;medel"


def csv_bytes(*lines: str, encoding: str = "utf-8-sig") -> bytes:
    header = ";".join(transfer.HEADERS)
    return "\r\n".join([header, *lines]).encode(encoding)


def _context(db):
    kommun = db.scalar(select(Municipality).where(Municipality.slug == "ekbacka"))
    org = db.scalar(select(Organisation).where(Organisation.name == "Ekbackahem AB"))
    user = db.scalar(select(User).where(User.email == "ekhem@rapport.example"))
    return kommun, org, user


def test_swedish_excel_csv_utf8_with_bom_is_read():
    rows = transfer.read_rows("händelser.csv", csv_bytes(GOOD))
    assert rows[0].number == 2
    assert rows[0].values["Händelsetyp"] == "Skadegörelse"


def test_plain_excel_csv_in_windows_1252_keeps_å_ä_ö():
    rows = transfer.read_rows("h.csv", csv_bytes(GOOD, encoding="cp1252"))
    assert rows[0].values["Tid på dygnet"] == "kväll"


def test_comma_separated_csv_is_read_too():
    text = ",".join(transfer.HEADERS) + "\n" + GOOD.replace(";", ",")
    assert transfer.read_rows("h.csv", text.encode())[0].values["Antal"] == "2"


def test_xlsx_written_by_us_is_read_back():
    data = transfer.write_xlsx("Mall", transfer.HEADERS, transfer.template_rows())
    rows = transfer.read_rows("mall.xlsx", data)
    assert rows[0].values["Område"] == "Centrum"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("h.csv", b"", "tom"),
        ("h.pdf", b"%PDF-1.7", "CSV-fil (.csv) eller en Excel-arbetsbok"),
        ("h.xlsx", b"not a zip", "går inte att öppna som Excel"),
        ("h.csv", b"Datum;Plats\r\n2026-11-18;Torget", "Kolumnerna stämmer inte"),
        ("h.csv", b"\x81\x8d\x8f\x90" * 10, "teckenkodning"),
        ("h.csv", b"x" * (transfer.MAX_FILE_BYTES + 1), "för stor"),
        ("h.csv", csv_bytes(), "bara rubrikrader"),
    ],
)
def test_unreadable_files_get_a_reason(name, data, message):
    with pytest.raises(transfer.UnreadableFile) as error:
        transfer.read_rows(name, data)
    assert message in str(error.value)


def test_one_bad_row_is_named_and_nothing_is_planned_from_it(demo):
    db = demo
    kommun, org, _ = _context(db)
    bad = "2026-11-19;dag;;Centrum;Torget som inte finns;;Skadegörelse;Text.;-3;jättehög"
    rows = transfer.read_rows("h.csv", csv_bytes(GOOD, bad, GOOD))
    planned, errors = plan_import(db, kommun, rows, organisation=org, today=TODAY)
    assert [e.row for e in errors] == [3]
    messages = " ".join(errors[0].messages)
    assert "Plats" in messages and "Antal" in messages and "Oro" in messages
    assert len(planned) == 2


def test_personnummer_in_a_row_is_refused(demo):
    db = demo
    kommun, org, _ = _context(db)
    row = GOOD.replace("Sönderslagna bänkar.", "Skadegörelse av 19121212-1212.")
    _, errors = plan_import(
        db, kommun, transfer.read_rows("h.csv", csv_bytes(row)), organisation=org, today=TODAY
    )
    assert "personnummer" in " ".join(errors[0].messages)


def test_rows_the_nightly_gallring_would_delete_are_refused_by_category(demo):
    db = demo
    kommun, org, _ = _context(db)
    next(c for c in kommun.categories if c.name == "Skadegörelse").retention_months = 13
    # On 23 November 2026 the kommun's 24 months keep 2024-W47 on, and Skadegörelse's own
    # 13 months keep 2025-W43 on; each of those weeks is kept whole.
    lines = [
        GOOD.replace("2026-11-18", "2024-11-18").replace("Skadegörelse", "Klotter"),
        GOOD.replace("2026-11-18", "2024-11-17").replace("Skadegörelse", "Klotter"),
        GOOD.replace("2026-11-18", "2025-10-20"),
        GOOD.replace("2026-11-18", "2025-10-19"),
        GOOD.replace("2026-11-18", "2025-10-19").replace("Skadegörelse", "Klotter"),
    ]
    rows = transfer.read_rows("h.csv", csv_bytes(*lines))

    planned, errors = plan_import(db, kommun, rows, organisation=org, today=TODAY)

    assert [(e.row, e.messages) for e in errors] == [
        (
            3,
            (
                "Veckan 2024-W46 är äldre än kommunens gallringsfrist (24 månader) och kan inte "
                "läggas in. Händelser sparas från och med 2024-W47.",
            ),
        ),
        (
            5,
            (
                "Veckan 2025-W42 är äldre än gallringsfristen för Skadegörelse (13 månader) och "
                "kan inte läggas in. Sådana händelser sparas från och med 2025-W43.",
            ),
        ),
    ]
    assert [item.row for item in planned] == [2, 4, 6]


def test_valid_file_is_imported_into_the_weeks_of_its_dates(demo):
    db = demo
    other_week = GOOD.replace("2026-11-18", "2026-11-10")
    rows = transfer.read_rows("h.csv", csv_bytes(GOOD, other_week))
    with db.begin():
        kommun, org, user = _context(db)
        planned, errors = plan_import(db, kommun, rows, organisation=org, today=TODAY)
        assert errors == []
        count = import_observations(
            db,
            user,
            kommun,
            planned,
            tz=ZoneInfo("Europe/Stockholm"),
            now=datetime(2026, 11, 23, 8, tzinfo=ZoneInfo("UTC")),
        )
    assert count == 2
    weeks = set(db.scalars(select(Observation.week_start)))
    assert weeks == {date(2026, 11, 16), date(2026, 11, 9)}
    assert db.scalar(select(func.count()).select_from(Observation)) == 2


def test_export_opens_in_excel_with_swedish_letters():
    data = transfer.write_csv(["Händelsetyp", "Område"], [["Öppen droghantering", "Sjöängen"]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert "Öppen droghantering;Sjöängen" in data.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(transfer.write_xlsx("Händelser", ["Område"], [["Sjöängen"]])))
    assert book.active["A2"].value == "Sjöängen"
