"""The lägesbild PDF read back: text, suppression, PDF/UA tagging, fonts, fetcher, and the CLI."""

from __future__ import annotations

import re
import subprocess
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from typing import ClassVar

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from estapp import create_app
from estapp.cli import cli
from estapp.lagesbild import services
from estapp.lagesbild.pdf import FONTS_DIR, FontsOnlyFetcher, RefusedResource, html_to_pdf
from estapp.lagesbild.pdf import render_picture as render
from estapp.models import Action, ActionStatus, Commitment, CompileReason, Promise
from tests.conftest import make_settings
from tests.integration.lagesbild_support import NOW, WEEK, committed, kommun, organisation, report

ASSESSMENT = "Klottret vid Stora torget ökar; polisen och fritid går dit fredag kväll."


@pytest.fixture
def picture(demo):
    """Week 47 in Ekbacka, assessed: 7 klotter at Stora torget (two partners), 4 nedskräpning,
    1 skadegörelse — 12 events."""
    db = demo
    with committed(db):
        ekbacka = kommun(db)
        report(
            db,
            ekbacka,
            organisation(db, "Polisen"),
            WEEK,
            [("Klotter", "Stora torget", 5), ("Nedskräpning", "Stadsparken", 4)],
        )
        report(
            db,
            ekbacka,
            organisation(db, "Ekbacka kommun, barn"),
            WEEK,
            [("Klotter", "Stora torget", 2), ("Skadegörelse", "Garagen", 1)],
        )
        picture, _ = services.compile_picture(
            db, ekbacka, WEEK, reason=CompileReason.CLI, actor=None, now=NOW
        )
        services.save_assessment(
            db,
            picture,
            assessment=ASSESSMENT,
            notable_events="Brand i en papperskorg vid Resecentrum.",
            focus_place_ids=[],
            actor=None,
            now=NOW,
        )
    return picture


def rendered(app, db, picture):
    with app.app_context():
        return render(db, picture, settings=app.config["SETTINGS"], now=NOW)


def words(reader: PdfReader) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_the_pdf_reads_back_with_the_weeks_figures_suppressed(app, demo, picture, tmp_path):
    result = rendered(app, demo, picture)
    assert result.data.startswith(b"%PDF-")
    path = tmp_path / "lagesbild.pdf"
    path.write_bytes(result.data)
    reader = PdfReader(BytesIO(result.data))
    assert len(reader.pages) == result.pages >= 2
    text = words(reader)
    assert "Lägesbild" in text and "Ekbacka" in text
    assert "vecka 47, 2026" in text
    assert "Version 1" in text and "Utkast" in text
    assert ASSESSMENT in text
    assert "Brand i en papperskorg vid Resecentrum." in text
    assert "Händelser 12" in text  # the key figure
    assert "Klotter 7" in text
    assert "Skadegörelse <3" in text  # always suppressed: the PDF leaves the coordinators
    assert "Skadegörelse 1" not in text
    assert "Nedskräpning .." in text  # hidden too, or 12 - 7 - 4 would give skadegörelse away
    assert "Totalt 12" in text
    # Centrum is hidden in the area table (its 11 would give Sjöängen's 1 away), so its places'
    # counts are hidden as well: 7 + 4 would otherwise give Centrum back.
    assert "Centrum .." in text
    assert "Stora torget Centrum .. flera aktörer" in text
    assert "Stora torget Centrum 7" not in text
    assert "Sida 1 av" in text and f"Sida {result.pages} av {result.pages}" in text
    assert text.count("Får inte spridas utanför EST-gruppen") >= result.pages  # every page
    # Never a missing partner's name, a reporter's name or an observation's description.
    assert "Räddningstjänsten" not in text
    assert "Beskrivning som aldrig" not in text
    # pdftotext reads the same document (what a partner's viewer does).
    poppler = subprocess.run(
        ["/usr/bin/pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert ASSESSMENT in re.sub(r"\s+", " ", poppler)
    assert "Sida 1 av" in poppler


def test_the_pdf_is_tagged_for_accessibility_with_title_and_language(app, demo, picture):
    reader = PdfReader(BytesIO(rendered(app, demo, picture).data))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/Lang"] == "sv"
    assert reader.metadata.title == "Lägesbild Ekbacka, vecka 47, 2026"
    assert b"pdfuaid" in reader.xmp_metadata.stream.get_data()  # declares PDF/UA-1


def test_every_font_is_embedded_and_is_the_shipped_one(app, demo, picture):
    reader = PdfReader(BytesIO(rendered(app, demo, picture).data))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = descendant["/FontDescriptor"].get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]
            names.add(str(font["/BaseFont"]).split("+")[-1])
    # Our @font-face family only, charts included: nothing depends on the server's own fonts.
    assert names == {"EST-Sans", "EST-Sans-Bold"}


def test_the_marking_comes_from_the_setting(database_url, tmp_path, demo, picture):
    marking = "Endast för EST-gruppen i Ekbacka"
    app = create_app(make_settings(database_url, tmp_path, ESTAPP_PDF_MARKING=marking))
    try:
        result = rendered(app, demo, picture)
    finally:
        app.extensions["estapp.engine"].dispose()
    text = words(PdfReader(BytesIO(result.data)))
    assert text.count(marking) >= result.pages
    assert "Får inte spridas" not in text


def test_default_marking_setting():
    settings = make_settings("sqlite://", FONTS_DIR)
    assert settings.pdf_marking == "Får inte spridas utanför EST-gruppen"


class _Recorder(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self):
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    _Recorder.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_fetcher_refuses_the_network_and_other_files(http_server):
    traversal = (FONTS_DIR / ".." / ".." / "estapp" / "config.py").as_uri()
    html = f"""<!DOCTYPE html><html lang="sv"><head><title>Prov</title>
    <link rel="stylesheet" href="{http_server}/style.css">
    <link rel="stylesheet" href="file:///etc/passwd">
    <style>@font-face {{ font-family: X; src: url("{traversal}"); }} p {{ font-family: X; }}</style>
    </head><body><p>Hej</p>
    <img src="{http_server}/spy.png" alt="spion">
    <img src="file:///etc/passwd" alt="lösenord">
    <img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E" alt="ok">
    </body></html>"""
    fetcher = FontsOnlyFetcher()
    result = html_to_pdf(html, fetcher=fetcher)
    assert result.data.startswith(b"%PDF-")
    assert _Recorder.hits == []  # nothing reached the server
    assert f"{http_server}/spy.png" in fetcher.refused
    assert f"{http_server}/style.css" in fetcher.refused
    assert "file:///etc/passwd" in fetcher.refused
    assert any(url.endswith("config.py") for url in fetcher.refused)
    assert not any(url.startswith("data:") for url in fetcher.refused)
    assert b"root:" not in result.data


def test_the_fetcher_serves_only_font_files_from_the_fonts_folder():
    fetcher = FontsOnlyFetcher()
    response = fetcher.fetch((FONTS_DIR / "DejaVuSans.ttf").as_uri())
    assert response.read(4) == b"\x00\x01\x00\x00"  # a TrueType file
    response.close()
    for url in (
        (FONTS_DIR / "LICENSE-DejaVu.txt").as_uri(),  # inside, but not a font
        (FONTS_DIR / "missing.ttf").as_uri(),
        "file://evil.example/" + str(FONTS_DIR / "DejaVuSans.ttf"),
        "https://fonts.example/DejaVuSans.ttf",
        "ftp://127.0.0.1/DejaVuSans.ttf",
    ):
        with pytest.raises(RefusedResource):
            fetcher.fetch(url)


# --- estapp lagesbild pdf ---------------------------------------------------------------


def run_pdf(app, *args):
    return app.test_cli_runner().invoke(cli, ["lagesbild", "pdf", *args])


def test_the_cli_writes_the_pdf_and_says_how_many_pages(app, picture, tmp_path):
    target = tmp_path / "ut.pdf"
    result = run_pdf(app, "--kommun", "ekbacka", "--week", str(WEEK), "-o", str(target))
    assert result.exit_code == 0, result.output
    pages = len(PdfReader(target).pages)
    assert result.output.strip() == f"Skrev {target} ({pages} sidor)"
    assert ASSESSMENT in words(PdfReader(target))


def test_the_cli_picks_a_version(app, demo, picture, tmp_path):
    with committed(demo):
        report(demo, kommun(demo), organisation(demo, "Räddningstjänsten"), WEEK,
               [("Anlagd brand", "Garagen", 3)])  # fmt: skip
        services.compile_picture(
            demo, kommun(demo), WEEK, reason=CompileReason.CLI, actor=None, now=NOW
        )
    first, newest = tmp_path / "v1.pdf", tmp_path / "v2.pdf"
    args = ("--kommun", "ekbacka", "--week", str(WEEK))
    assert run_pdf(app, *args, "--version", "1", "-o", str(first)).exit_code == 0
    assert run_pdf(app, *args, "-o", str(newest)).exit_code == 0
    assert "Version 1" in words(PdfReader(first)) and "Händelser 12" in words(PdfReader(first))
    assert "Version 2" in words(PdfReader(newest)) and "Händelser 15" in words(PdfReader(newest))
    missing = run_pdf(app, *args, "--version", "7", "-o", str(first))
    assert missing.exit_code != 0
    assert missing.output.strip() == (
        "Fel: Ekbacka, vecka 47, 2026 har ingen version 7 (senaste är 2)"
    )


def test_the_cli_gives_one_swedish_line_on_bad_input(app, picture, tmp_path):
    target = str(tmp_path / "ut.pdf")
    cases = {
        ("--kommun", "nowhere", "--week", "2026-W47", "-o", target): (
            "Fel: det finns ingen kommun med kortnamnet 'nowhere'"
        ),
        ("--kommun", "ekbacka", "--week", "2026-47", "-o", target): "är ingen vecka",
        ("--kommun", "ekbacka", "--week", "2026-W40", "-o", target): (
            "Fel: Ekbacka har ingen lägesbild för vecka 40, 2026"
        ),
        ("--kommun", "ekbacka", "--week", "2026-W47", "-o", str(tmp_path / "nej" / "ut.pdf")): (
            "Fel: kan inte skriva"
        ),
        ("--kommun", "ekbacka", "--week", "2026-W47", "-o", str(tmp_path)): "Fel: kan inte skriva",
    }
    for args, message in cases.items():
        result = run_pdf(app, *args)
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
        assert len(result.output.strip().splitlines()) == 1, result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "ut.pdf").exists()


def test_open_actions_due_before_the_next_meeting_are_listed(app, demo, picture):
    """Week 47 is reviewed in week 48; the next meeting is in week 49, so actions due by Sunday
    29 November count, overdue ones too, open ones only, this kommun's only."""
    db = demo
    ekbacka, sjovik = kommun(db), kommun(db, "sjovik")
    police = organisation(db, "Polisen")
    commitment = db.scalar(
        select(Commitment).join(Promise).where(Promise.municipality_id == ekbacka.id)
    )

    def action(municipality, text, due, status=ActionStatus.PLANNED, **extra):
        db.add(
            Action(
                municipality_id=municipality.id,
                text=text,
                owner_organisation=police,
                due_on=due,
                status=status,
                **extra,
            )
        )

    with committed(db):
        action(ekbacka, "Tömma papperskorgarna vid Resecentrum", date(2026, 11, 20))
        action(
            ekbacka,
            "Kvällsvandring vid Stora torget",
            date(2026, 11, 27),
            ActionStatus.IN_PROGRESS,
            commitment=commitment,
        )
        action(ekbacka, "Ny belysning i gångtunneln", date(2026, 12, 10))
        action(ekbacka, "Klottersanering vid Garagen", date(2026, 11, 25), ActionStatus.DONE)
        action(sjovik, "Trygghetsvandring i Hamnen", date(2026, 11, 26))

    text = words(PdfReader(BytesIO(rendered(app, db, picture).data)))
    assert "Åtgärder att följa upp före nästa möte" in text
    assert "Tömma papperskorgarna vid Resecentrum" in text and "(försenad)" in text
    assert "Kvällsvandring vid Stora torget" in text and "pågående" in text
    assert f"Åtagande: {commitment.text[:25]}" in text  # (the PDF may break a line after)
    assert "Ny belysning i gångtunneln" not in text  # due after the next meeting
    assert "Klottersanering vid Garagen" not in text  # done
    assert "Trygghetsvandring i Hamnen" not in text  # another kommun's


def test_without_open_actions_there_is_no_action_section(app, demo, picture):
    text = words(PdfReader(BytesIO(rendered(app, demo, picture).data)))
    assert "Åtgärder att följa upp" not in text
