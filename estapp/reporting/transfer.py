"""Reading observation files (CSV or XLSX, as Swedish Excel saves them) and writing exports.

Reading is pure: bytes in, rows of text out, with a Swedish reason for anything unreadable.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000

# The documented column layout, in the order of the template file.
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    # (header, explanation, required)
    ("Datum", "Dagen det hände, ÅÅÅÅ-MM-DD.", True),
    ("Tid på dygnet", "natt, morgon, dag eller kväll. Kan lämnas tom om Klockslag finns.", False),
    ("Klockslag", "Exakt tid, TT:MM. Frivillig.", False),
    ("Område", "Områdets namn, som i estapp.", True),
    ("Plats", "Platsens namn i området. Lämna tom och fyll i Annan plats om den saknas.", False),
    ("Annan plats", "Kort beskrivning av var, om platsen inte finns i listan.", False),
    ("Händelsetyp", "Händelsetypens namn, som i estapp.", True),
    ("Beskrivning", "Vad hände? Beskriv platser och händelser, aldrig personer.", True),
    ("Antal", "Hur många gånger, 1–999. Tom betyder 1.", False),
    ("Oro", "låg, medel eller hög.", True),
)
ORGANISATION_COLUMN = ("Organisation", "Den rapporterande aktörens namn (bara samordnare).", True)
HEADERS = tuple(name for name, _, _ in COLUMNS)


class UnreadableFile(ValueError):
    """The file as a whole cannot be read; the message says why, in Swedish."""


@dataclass(frozen=True)
class SheetRow:
    number: int  # as the user sees it in Excel, header = row 1
    values: dict[str, str]


def _normalise_header(text: str) -> str:
    return " ".join(text.replace("\ufeff", "").split()).casefold()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM, as 'CSV UTF-8' saves) or Windows-1252 (plain 'CSV')."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise UnreadableFile(
            "Filens teckenkodning känns inte igen. Spara den från Excel som "
            "'CSV UTF-8 (kommaavgränsad)' eller som Excel-arbetsbok (.xlsx)."
        ) from None
    if "\x00" in text:
        raise UnreadableFile("Filen ser inte ut att vara en textfil (CSV).")
    return text


def _rows_from_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    sample = text[:4096]
    # Swedish Excel separates with semicolons (the comma is the decimal sign); others with commas.
    header = sample.splitlines()[0] if sample else ""
    delimiter = max(";,\t", key=header.count)
    try:
        return [
            [cell.strip() for cell in row]
            for row in csv.reader(io.StringIO(text), delimiter=delimiter)
        ]
    except csv.Error as error:
        raise UnreadableFile(f"CSV-filen går inte att läsa: {error}.") from None


def _rows_from_xlsx(data: bytes) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise UnreadableFile("Filen går inte att öppna som Excel-arbetsbok (.xlsx).") from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for index, row in enumerate(sheet.iter_rows(values_only=True)):
            if index > MAX_ROWS + 1:
                break
            rows.append([_cell_text(value) for value in row])
        return rows
    finally:
        book.close()


def read_rows(filename: str, data: bytes, *, with_organisation: bool = False) -> list[SheetRow]:
    """Read a CSV or XLSX file into rows keyed by the template's headers."""
    if not data:
        raise UnreadableFile("Filen är tom.")
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile(
            f"Filen är för stor ({len(data) // 1024} kB). "
            f"Högst {MAX_FILE_BYTES // 1024} kB tas emot."
        )
    name = filename.lower()
    if name.endswith(".xlsx"):
        raw = _rows_from_xlsx(data)
    elif name.endswith((".csv", ".txt")):
        raw = _rows_from_csv(data)
    else:
        raise UnreadableFile("Välj en CSV-fil (.csv) eller en Excel-arbetsbok (.xlsx).")
    raw = [row for row in raw if any(cell for cell in row)]
    if not raw:
        raise UnreadableFile("Filen är tom.")
    expected = list(HEADERS) + ([ORGANISATION_COLUMN[0]] if with_organisation else [])
    found = {_normalise_header(h): i for i, h in enumerate(raw[0]) if h}
    missing = [h for h in expected if _normalise_header(h) not in found]
    if missing:
        raise UnreadableFile(
            "Kolumnerna stämmer inte med mallen. Saknas: "
            + ", ".join(missing)
            + ". Första raden ska vara rubrikerna: "
            + "; ".join(expected)
            + "."
        )
    if len(raw) - 1 > MAX_ROWS:
        raise UnreadableFile(f"Filen har fler än {MAX_ROWS} rader. Dela upp den.")
    rows = []
    for number, cells in enumerate(raw[1:], start=2):
        values = {
            header: (
                cells[found[_normalise_header(header)]]
                if found[_normalise_header(header)] < len(cells)
                else ""
            )
            for header in expected
        }
        rows.append(SheetRow(number, values))
    if not rows:
        raise UnreadableFile("Filen har bara rubrikrader och inga händelser.")
    return rows


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """CSV that Swedish Excel opens correctly: UTF-8 with BOM, semicolons, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_cell_text(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title[:31]
    sheet.append(list(headers))
    for row in rows:
        sheet.append([value.isoformat() if isinstance(value, time) else value for value in row])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_rows() -> list[list[str]]:
    """One example row for the downloadable template."""
    return [
        [
            "2026-11-18",
            "kväll",
            "21:30",
            "Centrum",
            "Stadsparken",
            "",
            "Skadegörelse",
            "Två parkbänkar sönderslagna vid lekplatsen.",
            "2",
            "medel",
        ]
    ]
