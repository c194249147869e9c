"""Unit tests for the personal-data guard on report descriptions."""

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from estapp.reporting.privacy import (
    Finding,
    FindingKind,
    blocking,
    check_text,
    mark,
    warnings,
)


def luhn_ok(number: str) -> bool:
    """Check the Luhn sum of a 10-digit number (independent of the module under test)."""
    digits = [int(char) for char in number]
    doubled = [sum(divmod(d * 2, 10)) if i % 2 == 0 else d for i, d in enumerate(digits)]
    return sum(doubled) % 10 == 0


def with_check_digit(nine: str) -> str:
    """Append the Luhn check digit to the nine digits YYMMDDNNN."""
    return next(nine + str(d) for d in range(10) if luhn_ok(nine + str(d)))


def only(text: str) -> Finding:
    findings = check_text(text)
    assert len(findings) == 1, findings
    return findings[0]


@pytest.mark.parametrize(
    "number",
    [
        "189001019802",  # Skatteverket test number, 12 digits, born 1890
        "19121212-1212",  # widely used public test number
        "811218-9876",  # Skatteverket example
        "198112189876",
        "850709-9805",
        "8507099805",
        "121212+1212",  # '+' marks someone aged 100 or more
        "19121212+1212",
        "201010101010",
        with_check_digit("000229123"),  # 29 February 2000
        "20150101-" + with_check_digit("150101987")[6:],  # Skatteverket test series 98xx
        "19900101-" + with_check_digit("900101999")[6:],
    ],
)
def test_personnummer_blocks(number: str) -> None:
    digits = number.replace("-", "").replace("+", "")[-10:]
    assert luhn_ok(digits), "the table must only hold numbers that really pass Luhn"
    text = f"Mannen hade {number} på lappen."
    finding = only(text)
    assert finding.kind is FindingKind.PERSONNUMMER
    assert finding.text == number
    assert text[finding.start : finding.end] == number
    assert finding.blocking


@pytest.mark.parametrize(
    "number",
    [
        "701063-2391",  # Skatteverket's example samordningsnummer: day 03 + 60
        with_check_digit("850769123"),  # day 09 + 60, no separator
        "19850769-" + with_check_digit("850769123")[6:],
        with_check_digit("850191456"),  # 31 January + 60
    ],
)
def test_samordningsnummer_blocks(number: str) -> None:
    assert luhn_ok(number.replace("-", "")[-10:])
    finding = only(f"nr {number}")
    assert finding.kind is FindingKind.SAMORDNINGSNUMMER
    assert finding.text == number
    assert finding.blocking
    assert "samordningsnummer" in finding.message


def test_personnummer_message_is_plain_swedish_and_quotes_the_number() -> None:
    assert only("Såg 850709-9805 vid kiosken").message == (
        "Texten innehåller ett personnummer (850709-9805). "
        "Beskriv platsen och händelsen, inte personer – ta bort numret."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Möte 2026-11-23 i skolan",
        "Händelsen 23/11/2026",
        "Datum 20261123",
        "kl 22.00–02.00 och kl. 08:30",
        "kl 0800-1000",
        "Klotter 01-12-2026",
        "2026-01-23 0800 vid busshållplatsen",
        "Order 1234567890",  # fails Luhn
        "Order " + with_check_digit("123456789"),  # passes Luhn, month 34 is no date
        with_check_digit("851309980"),  # passes Luhn, month 13
        with_check_digit("850100123"),  # passes Luhn, day 00
        with_check_digit("850230123"),  # passes Luhn, 30 February
        with_check_digit("850192123"),  # passes Luhn, day 32 + 60
        "218507099805",  # last ten digits are valid, but 2185 is no birth year
        "850709-9806",  # valid date, fails Luhn
        "18507099805",  # inside a longer digit run
        "850709-98051",
        "11198507099805",
        "Skadan kostade 12 500 kr",
        "Totalt 1 234 567 kronor",
        "Sedan år 2025 och 1998",
        "Mellan 10-20 personer, 5–10 bilar",
        "Postnummer 123 45 och 412 58",
        "ca 20 ungdomar samlades",
        "SFS 2023:196",
        "",
    ],
)
def test_near_misses_are_left_alone(text: str) -> None:
    assert check_text(text) == []


@pytest.mark.parametrize(
    ("bad_date", "good_date"),
    [
        ("123456789", "120416789"),
        ("851309980", "850709980"),
        ("850100123", "850101123"),
        ("850230123", "850228123"),
        ("850192123", "850191123"),
    ],
)
def test_invalid_date_alone_is_what_spares_a_luhn_valid_number(
    bad_date: str, good_date: str
) -> None:
    # Guards the near-miss table: the same kind of number with a real date is caught.
    assert check_text(with_check_digit(bad_date)) == []
    assert only(with_check_digit(good_date)).blocking


@pytest.mark.parametrize(
    "phone",
    [
        "070-123 45 67",
        "0701234567",
        "070-1234567",
        "+46 70 123 45 67",
        "+46701234567",
        "0046 70 123 45 67",
        "+46 (0)8-123 456 78",
        "08-123 456 78",
        "08-12 34 56",
        "(08) 123 456 78",
        "031-12 34 56",
        "0303-123 45",
    ],
)
def test_phone_numbers_block(phone: str) -> None:
    finding = only(f"Ring {phone} om det händer igen.")
    assert finding.kind is FindingKind.PHONE
    assert finding.text == phone
    assert finding.blocking
    assert phone in finding.message


@pytest.mark.parametrize(
    "email", ["anna.svensson@example.se", "x+est@kommun.example.org", "åsa_ö@exempel.nu"]
)
def test_email_addresses_block(email: str) -> None:
    finding = only(f"Kontakt: {email}.")
    assert finding.kind is FindingKind.EMAIL
    assert finding.text == email
    assert finding.blocking


@pytest.mark.parametrize("plate", ["ABC 123", "MLB 84B", "ABC123", "XYZ 12A", "ABC-123"])
def test_vehicle_registrations_block(plate: str) -> None:
    finding = only(f"En vit skåpbil {plate} stod parkerad.")
    assert finding.kind is FindingKind.VEHICLE_REGISTRATION
    assert finding.text == plate
    assert finding.blocking


@pytest.mark.parametrize(
    "text",
    [
        "Kostade SEK 100",
        "Ringde SOS 112",
        "abc 123",
        "Abc 123",
        "ABCD 123",
        "ABC 1234",
        "IQV 123",  # letters never used on plates
        "BUSS 12",
        "E20 vid TRAFIKPLATS",
    ],
)
def test_non_plates_are_left_alone(text: str) -> None:
    assert check_text(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Anna Svensson sprang mot stationen", "Anna Svensson"),
        ("Vi såg Mohammed Ali vid torget", "Mohammed Ali"),
        ("Åsa Lind-Berg var där", "Åsa Lind-Berg"),
        ("Samling vid Karl Johans torg", "Karl Johans"),  # a place, but the heuristic warns
    ],
)
def test_likely_names_warn_without_blocking(text: str, name: str) -> None:
    finding = only(text)
    assert finding.kind is FindingKind.NAME
    assert finding.text == name
    assert not finding.blocking
    assert "spara ändå" in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "Anna",
        "Anna sprang mot Torget",
        "anna svensson",
        "Ungdomar vid Centrumhuset Syd",  # capitalised words, but no first name
        "Annas Kiosk",
    ],
)
def test_no_name_warning_without_name_and_capitalised_word(text: str) -> None:
    assert check_text(text) == []


def test_blocking_and_warnings_split_findings() -> None:
    findings = check_text("Anna Svensson gav mig 070-123 45 67 och bilen ABC 123.")
    assert [f.kind for f in findings] == [
        FindingKind.NAME,
        FindingKind.PHONE,
        FindingKind.VEHICLE_REGISTRATION,
    ]
    assert [f.kind for f in blocking(findings)] == [
        FindingKind.PHONE,
        FindingKind.VEHICLE_REGISTRATION,
    ]
    assert [f.text for f in warnings(findings)] == ["Anna Svensson"]
    assert blocking(check_text("Anna Svensson sprang")) == []


def test_overlapping_hits_collapse_to_the_longest_blocking_one() -> None:
    finding = only("Mejl 8507099805@example.se")
    assert finding.kind is FindingKind.EMAIL
    assert finding.text == "8507099805@example.se"


def test_findings_are_sorted_by_position() -> None:
    text = "ABC 123, 850709-9805 och anna@example.se"
    starts = [f.start for f in check_text(text)]
    assert starts == sorted(starts) and len(starts) == 3


def test_mark_splits_text_into_segments_covering_it_exactly() -> None:
    text = "Ring 070-123 45 67 eller skriv till anna@example.se i kväll"
    findings = check_text(text)
    segments = mark(text, findings)
    assert "".join(part for part, _ in segments) == text
    assert [(part, f.kind if f else None) for part, f in segments] == [
        ("Ring ", None),
        ("070-123 45 67", FindingKind.PHONE),
        (" eller skriv till ", None),
        ("anna@example.se", FindingKind.EMAIL),
        (" i kväll", None),
    ]


def test_mark_handles_hits_at_the_edges_and_clean_text() -> None:
    text = "850709-9805"
    assert mark(text, check_text(text)) == [(text, only(text))]
    assert mark("Lugnt i veckan", []) == [("Lugnt i veckan", None)]
    assert mark("", []) == []


def test_mark_rejects_overlapping_findings() -> None:
    text = "ABC 123"
    finding = only(text)
    with pytest.raises(ValueError, match="overlaps"):
        mark(text, [finding, finding])


@given(st.text(alphabet="0123456789 -+ABCMLaån@.Svensso", max_size=60))
def test_any_text_gives_sorted_disjoint_findings_that_mark_reassembles(text: str) -> None:
    findings = check_text(text)
    for earlier, later in pairwise(findings):
        assert earlier.end <= later.start
    assert all(text[f.start : f.end] == f.text for f in findings)
    assert "".join(part for part, _ in mark(text, findings)) == text
