"""Personal-data guard for free-text descriptions. Pure; no Flask, no ORM, no I/O.

EST reports describe places and events, never people. Before a description is saved it is checked
here: identifiers (personnummer, samordningsnummer, phone numbers, e-mail addresses, vehicle
registration numbers) block saving; likely personal names only warn, since the heuristic also hits
street and place names and the reporter knows better.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class FindingKind(StrEnum):
    PERSONNUMMER = "personnummer"
    SAMORDNINGSNUMMER = "samordningsnummer"
    PHONE = "phone"
    EMAIL = "email"
    VEHICLE_REGISTRATION = "vehicle_registration"
    NAME = "name"


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    text: str
    start: int
    end: int
    blocking: bool
    message: str


_MESSAGES: dict[FindingKind, str] = {
    FindingKind.PERSONNUMMER: (
        "Texten innehåller ett personnummer ({text}). "
        "Beskriv platsen och händelsen, inte personer – ta bort numret."
    ),
    FindingKind.SAMORDNINGSNUMMER: (
        "Texten innehåller ett samordningsnummer ({text}). "
        "Beskriv platsen och händelsen, inte personer – ta bort numret."
    ),
    FindingKind.PHONE: (
        "Texten innehåller ett telefonnummer ({text}). "
        "Skriv inte kontaktuppgifter till personer i rapporten – ta bort numret."
    ),
    FindingKind.EMAIL: (
        "Texten innehåller en e-postadress ({text}). "
        "Skriv inte kontaktuppgifter till personer i rapporten – ta bort adressen."
    ),
    FindingKind.VEHICLE_REGISTRATION: (
        "Texten innehåller ett registreringsnummer ({text}). Ett fordon kan kopplas till en "
        "person – beskriv fordonet utan nummer, till exempel ”en vit skåpbil”."
    ),
    FindingKind.NAME: (
        "Texten verkar innehålla ett namn ({text}). Beskriv platsen och händelsen, inte "
        "personer. Är det inte en person (till exempel ett gatunamn) kan du spara ändå."
    ),
}

# Order decides between equally long overlapping hits: the more specific identifier wins.
_PRIORITY = list(FindingKind)

# Optional century, YYMMDD, optional separator, four digits; never part of a longer digit run.
_PERSONNUMMER = re.compile(r"(?<!\d)(?P<century>\d{2})?(?P<ymd>\d{6})[-+]?(?P<tail>\d{4})(?!\d)")

_SPACE = r"[ \u00a0]"
# Swedish numbers: a country code or trunk 0, an area code, then the subscriber number in groups
# of digits. One hyphen at most (after the area code), so dates like 01-12-2026 stay out.
_PHONE = re.compile(
    rf"(?<![\w+\-/.])"
    rf"(?:(?:\+|00)46{_SPACE}?(?:\(0\){_SPACE}?)?|\(?0)"
    rf"(?P<national>[1-9]\d{{0,2}}\)?"
    rf"(?:{_SPACE}?[-–]{_SPACE}?|{_SPACE})?"
    rf"\d(?:{_SPACE}?\d){{4,7}})"
    rf"(?![\w\-–/])"
)

_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@(?:[\w-]+\.)+[^\W\d_]{2,}(?![\w-])")

# Real plates never use I, Q, V (nor Å, Ä, Ö); demanding three capitals, two digits and a digit
# or letter as a separate token keeps ordinary words out.
_PLATE_LETTERS = "A-HJ-PR-UW-Z"
_PLATE = re.compile(
    rf"(?<!\w)(?P<letters>[{_PLATE_LETTERS}]{{3}})[ -]?\d{{2}}[\d{_PLATE_LETTERS}](?!\w)"
)
# Acronyms that are followed by numbers in ordinary prose ("SEK 100", "SOS 112").
_PLATE_STOPLIST = frozenset({"SEK", "EUR", "USD", "NOK", "DKK", "GBP", "SOS", "SFS", "LSS"})

# A compact list of common first names in Sweden; a name alone is no person, but a name followed
# by a capitalised word ("Anna Svensson") very often is.
_FIRST_NAMES_TEXT = """
    Lars Mikael Anders Johan Erik Per Karl Peter Jan Thomas Daniel Fredrik Hans Andreas Stefan
    Mats Mattias Magnus Jonas Bengt Alexander Martin Oskar Nils Leif Björn Henrik Gustav Marcus
    Sven Ulf Viktor Simon Emil Christer Göran Kent Roger Robert Anton David Niklas Olof Patrik
    Sebastian William Lucas Liam Elias Hugo Oliver Noah Adam Axel Filip Isak Ludvig Linus Theo
    Albin Jakob Melvin Leo Kevin Rasmus Tobias Joakim Kjell Rolf Jonathan Gabriel Arvid Vincent
    Anna Eva Maria Karin Sara Kristina Lena Emma Kerstin Ingrid Marie Malin Jenny Hanna Linda
    Sofia Annika Birgitta Susanne Elin Monica Helena Johanna Camilla Ulla Cecilia Elisabeth Ida
    Julia Amanda Linnea Matilda Ebba Alice Maja Elsa Olivia Wilma Alva Saga Ella Vera Freja
    Astrid Signe Klara Agnes Stina Åsa Margareta Gunilla Ingela Lisa Frida Moa Tove Nora Selma
    Ellen Elvira Therese Josefin Louise Emelie Jessica Caroline Mohammed Mohammad Muhammad
    Mohamed Ahmed Ali Hassan Hussein Omar Yusuf Ibrahim Abdi Mustafa Mehmet Amir Hamza Khalid
    Samir Reza Mahmoud Abdullahi Fatima Amina Aisha Maryam Zahra Leila Layla Yasmin Noor Nour
    Zainab Hodan Ayan Dragan Goran Milan Nikola Marko Jovana Aleksandra Piotr Tomasz Katarzyna
    Juan José Carlos Ivan Dimitri Elena Natalia
"""
_FIRST_NAMES = frozenset(_FIRST_NAMES_TEXT.split())
_UPPER = "A-ZÅÄÖÉÜ"
_LOWER = "a-zåäöéüøæ"
_CAPITALISED = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
_NAME = re.compile(
    rf"(?<!\w)(?:{'|'.join(sorted(_FIRST_NAMES))})(?:[ \t\u00a0]+{_CAPITALISED}){{1,2}}(?![\w@])"
)


def check_text(text: str) -> list[Finding]:
    """Return personal data found in text, sorted by start and never overlapping."""
    candidates = [
        *_find_personnummer(text),
        *_find_phones(text),
        *_find(FindingKind.EMAIL, _EMAIL, text),
        *_find_plates(text),
        *_find(FindingKind.NAME, _NAME, text),
    ]
    # Blocking hits go first so a warning never hides one; then longer, then more specific.
    candidates.sort(
        key=lambda f: (not f.blocking, f.start - f.end, _PRIORITY.index(f.kind), f.start)
    )
    chosen: list[Finding] = []
    for candidate in candidates:
        if all(candidate.end <= kept.start or kept.end <= candidate.start for kept in chosen):
            chosen.append(candidate)
    return sorted(chosen, key=lambda f: f.start)


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    """Return the findings that stop the text from being saved."""
    return [finding for finding in findings if finding.blocking]


def warnings(findings: Iterable[Finding]) -> list[Finding]:
    """Return the findings the reporter may override."""
    return [finding for finding in findings if not finding.blocking]


def mark(text: str, findings: Iterable[Finding]) -> list[tuple[str, Finding | None]]:
    """Split text into segments, pairing each hit with its finding, so templates can mark it."""
    segments: list[tuple[str, Finding | None]] = []
    position = 0
    for finding in sorted(findings, key=lambda f: f.start):
        if finding.start < position or text[finding.start : finding.end] != finding.text:
            raise ValueError(f"finding {finding!r} overlaps another or does not fit the text")
        if finding.start > position:
            segments.append((text[position : finding.start], None))
        segments.append((finding.text, finding))
        position = finding.end
    if position < len(text):
        segments.append((text[position:], None))
    return segments


def _finding(kind: FindingKind, match: re.Match[str]) -> Finding:
    blocks = kind is not FindingKind.NAME
    message = _MESSAGES[kind].format(text=match.group())
    return Finding(kind, match.group(), match.start(), match.end(), blocks, message)


def _find(kind: FindingKind, pattern: re.Pattern[str], text: str) -> Iterator[Finding]:
    for match in pattern.finditer(text):
        yield _finding(kind, match)


def _find_personnummer(text: str) -> Iterator[Finding]:
    for match in _PERSONNUMMER.finditer(text):
        ymd, tail, century = match["ymd"], match["tail"], match["century"]
        if not _luhn_valid(ymd + tail):
            continue
        day = int(ymd[4:6])
        # Samordningsnummer carry the birth day plus 60.
        kind = FindingKind.SAMORDNINGSNUMMER if day > 60 else FindingKind.PERSONNUMMER
        if century is None:
            # The century is unknown; 2000-2099 makes every year divisible by 4 a leap year,
            # so a real 29 February is never missed.
            year = 2000 + int(ymd[:2])
        elif century in ("18", "19", "20"):
            year = int(century + ymd[:2])
        else:
            continue
        if _valid_date(year, int(ymd[2:4]), day - 60 if day > 60 else day):
            yield _finding(kind, match)


def _find_phones(text: str) -> Iterator[Finding]:
    for match in _PHONE.finditer(text):
        # Swedish national numbers (without trunk 0 or country code) have 7 to 9 digits.
        if 7 <= sum(char.isdigit() for char in match["national"]) <= 9:
            yield _finding(FindingKind.PHONE, match)


def _find_plates(text: str) -> Iterator[Finding]:
    for match in _PLATE.finditer(text):
        if match["letters"] not in _PLATE_STOPLIST:
            yield _finding(FindingKind.VEHICLE_REGISTRATION, match)


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True
