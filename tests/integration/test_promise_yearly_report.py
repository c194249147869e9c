"""The yearly follow-up of a medborgarlöfte: counts per year, the PDF read back, and the CLI."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import event, select

from estapp.cli import cli
from estapp.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Organisation,
    Promise,
    PromiseStatus,
    ResponsibleParty,
    User,
)
from estapp.promises import services
from estapp.promises.services import CommitmentInput, ProblemAreaInput, PromiseInput
from estapp.promises.yearly import YearlyReportRefused, yearly_report
from estapp.promises.yearly_pdf import file_name, render_yearly
from tests.integration.lagesbild_support import committed, kommun, organisation

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TODAY = date(2026, 11, 23)  # 2026 is running, 2025 has ended
WALKS = "Polisen och fritid ska gå kvällsvandringar vid Resecentrum varje fredag."
LIGHTS = "Kommunen ska byta belysning i gångtunneln vid Norrvägen."
YOUTH = "Fritidsgården ska ha öppet sent på fredagar under hela perioden."
DONE_2025 = "Kvällsvandring med föräldrar vid Resecentrum"
OUTCOME_2025 = "Färre klagomål från resenärer under hösten"
LATE_DONE_2026 = "Samtal med fastighetsägaren om nya kameror"
LIGHTS_DONE_2026 = "Ny belysning i gångtunneln"
LIGHTS_OUTCOME = "Tunneln är upplyst hela natten"
CANCELLED_2025 = "Vandring på midsommarafton"
OPEN_2026 = "Öppet hus på fritidsgården"
PERSON = "Maria Lind"  # the police reporter, named as the person of every action


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=STOCKHOLM)


def add_action(db, promise, commitment, text, *, owner, person, due, history, outcome=""):
    """An action with its history as (day, new status) pairs, the first being its decision."""
    (created, _), *_ = history
    status = history[-1][1]
    done_days = [day for day, new in history if new == ActionStatus.DONE]
    action = Action(
        municipality_id=promise.municipality_id,
        text=text,
        owner_organisation=owner,
        owner_user=person,
        due_on=due,
        commitment_id=commitment.id,
        status=status,
        outcome=outcome,
        created_at=at(created),
        updated_at=at(history[-1][0]),
        completed_at=at(done_days[-1]) if status == ActionStatus.DONE else None,
        updates=[
            ActionUpdate(at=at(day), old_status=None, new_status=new, outcome=outcome)
            for day, new in history
        ],
    )
    db.add(action)
    return action


@pytest.fixture
def followed(demo):
    """Ekbacka's promise for 2025–2026 (the demo's own is set back to a draft) with actions:

    walks (problem area 1): done 2025 on time; decided 2025, done 2026 late; cancelled 2025;
    lights (problem area 3): done 2026 on time; youth (no problem area): decided 2026, open.
    """
    db = demo
    with committed(db):
        ekbacka = kommun(db)
        for promise in db.scalars(select(Promise).where(Promise.municipality_id == ekbacka.id)):
            promise.status = PromiseStatus.DRAFT
        now = datetime(2024, 12, 12, 10, tzinfo=UTC)
        promise = services.create_promise(
            db,
            None,
            ekbacka,
            PromiseInput(
                title="Tryggare Ekbacka 2025–2026",
                period_start=2025,
                period_end=2026,
                status=PromiseStatus.ACTIVE,
                problem_areas=[
                    ProblemAreaInput("Unga som samlas vid Resecentrum", "Stök kvällstid."),
                    ProblemAreaInput("Klotter i centrum", ""),
                    ProblemAreaInput("Mörka passager", "Tunneln undviks när det är mörkt."),
                ],
                signed_on=date(2024, 12, 12),
                signatories="Kommunstyrelsens ordförande och lokalpolisområdeschefen",
            ),
            now=now,
        )
        areas = promise.problem_areas
        walks, lights, youth = (
            services.create_commitment(db, None, promise, data, now=now)
            for data in (
                CommitmentInput(
                    WALKS,
                    responsible=frozenset({ResponsibleParty.POLIS}),
                    responsible_detail="Gruppchef",
                    scope="Varje fredag kväll",
                    problem_area_ids=[areas[0].id],
                    indicator_name="Andel trygga resenärer",
                    indicator_unit="procent",
                    indicator_target=75,
                ),
                CommitmentInput(
                    LIGHTS,
                    responsible=frozenset({ResponsibleParty.KOMMUN}),
                    problem_area_ids=[areas[2].id],
                ),
                CommitmentInput(YOUTH, responsible=frozenset({ResponsibleParty.KOMMUN})),
            )
        )
        police = organisation(db, "Polisen")
        person = db.scalar(select(User).where(User.name == PERSON))
        planned, going = ActionStatus.PLANNED, ActionStatus.IN_PROGRESS
        done, cancelled = ActionStatus.DONE, ActionStatus.CANCELLED
        add_action(
            db,
            promise,
            walks,
            DONE_2025,
            owner=police,
            person=person,
            due=date(2025, 4, 30),
            history=[(date(2025, 3, 10), planned), (date(2025, 4, 20), done)],
            outcome=OUTCOME_2025,
        )
        add_action(
            db,
            promise,
            walks,
            LATE_DONE_2026,
            owner=police,
            person=person,
            due=date(2025, 10, 1),
            history=[
                (date(2025, 9, 1), planned),
                (date(2025, 12, 1), going),
                (date(2026, 1, 15), done),
            ],
            outcome="Kameror sätts upp i vår",
        )
        add_action(
            db,
            promise,
            walks,
            CANCELLED_2025,
            owner=police,
            person=person,
            due=date(2025, 6, 1),
            history=[(date(2025, 5, 1), planned), (date(2025, 6, 10), cancelled)],
        )
        add_action(
            db,
            promise,
            lights,
            LIGHTS_DONE_2026,
            owner=organisation(db, "Ekbacka kommun"),
            person=person,
            due=date(2026, 3, 1),
            history=[(date(2026, 2, 1), planned), (date(2026, 2, 20), done)],
            outcome=LIGHTS_OUTCOME,
        )
        add_action(
            db,
            promise,
            youth,
            OPEN_2026,
            owner=organisation(db, "Ekbacka kommun"),
            person=person,
            due=date(2026, 12, 15),
            history=[(date(2026, 10, 1), planned), (date(2026, 11, 2), going)],
        )
    return ekbacka


def report_for(app, db, municipality, year: int):
    with app.app_context():
        return yearly_report(db, municipality, year, today=TODAY, zone=STOCKHOLM)


def text_of(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def counts(item) -> tuple[int, int, int, int, int]:
    year = item.year
    return year.decided, year.done, year.done_on_time, year.still_open, year.cancelled


# --- the counts ------------------------------------------------------------------------------


def test_an_ended_year_is_counted_as_it_stood_on_new_years_eve(app, demo, followed):
    report = report_for(app, demo, followed, 2025)
    assert report.as_of == date(2025, 12, 31) and not report.running
    (promise,) = report.promises  # the demo's own promise is a draft now: not in force
    walks, lights, youth = promise.commitments
    # Done in 2025, decided in 2025 but done in January (open at the year's end), cancelled.
    assert counts(walks) == (3, 1, 1, 1, 1)
    assert walks.year.progress.status.value == "efter"  # the open one was overdue
    assert [a.text for a in walks.year.done_actions] == [DONE_2025]
    assert walks.year.done_actions[0].owner.startswith("Polisen")
    assert counts(lights) == counts(youth) == (0, 0, 0, 0, 0)
    assert not lights.year.had_actions and not youth.year.had_actions


def test_the_running_year_is_counted_as_it_stands_today(app, demo, followed):
    report = report_for(app, demo, followed, 2026)
    assert report.as_of == TODAY and report.running
    walks, lights, youth = report.promises[0].commitments
    assert counts(walks) == (0, 1, 0, 0, 0)  # the late one, done in January
    assert walks.year.progress.status.value == "ingen-aktivitet"  # nothing since January
    assert counts(lights) == (1, 1, 1, 0, 0)
    assert counts(youth) == (1, 0, 0, 1, 0)
    assert youth.year.progress.status.value == "i-fas"
    assert youth.year.had_actions and not youth.year.done_actions


def test_problem_areas_head_their_commitments_and_the_rest_come_last(app, demo, followed):
    promise = report_for(app, demo, followed, 2026).promises[0]
    assert [(s.heading, [c.number for c in s.commitments]) for s in promise.sections] == [
        ("Unga som samlas vid Resecentrum", [1]),
        ("Klotter i centrum", []),
        ("Mörka passager", [2]),
        ("", [3]),
    ]


def test_the_report_is_loaded_in_the_same_few_queries_however_many_actions(app, demo, followed):
    def statements_for_report() -> int:
        statements: list[str] = []

        def count(_conn, _cursor, statement, *_rest) -> None:
            statements.append(statement)

        demo.expire_all()
        assert followed.name == "Ekbacka"  # loaded again before counting
        engine = demo.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            report_for(app, demo, followed, 2026)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return sum(1 for statement in statements if statement.startswith("SELECT"))

    before = statements_for_report()
    promise = demo.scalar(select(Promise).where(Promise.status == PromiseStatus.ACTIVE))
    police = demo.scalar(select(Organisation).where(Organisation.name.startswith("Polisen")))
    with committed(demo):
        for commitment in promise.commitments:
            for number in range(3):
                add_action(
                    demo,
                    promise,
                    commitment,
                    f"Extra {number}",
                    owner=police,
                    person=None,
                    due=date(2026, 5, 1),
                    history=[(date(2026, 4, 1), ActionStatus.PLANNED)],
                )
    assert statements_for_report() == before <= 6


def test_a_year_without_a_promise_in_force_or_not_yet_begun_is_refused(app, demo, followed):
    with pytest.raises(YearlyReportRefused) as refused:
        report_for(app, demo, followed, 2024)
    assert str(refused.value) == "Ekbacka har inget medborgarlöfte som gällde 2024."
    with pytest.raises(YearlyReportRefused) as refused:
        report_for(app, demo, followed, 2027)
    assert str(refused.value) == "Året 2027 har inte börjat än."


# --- the PDF ---------------------------------------------------------------------------------


def test_the_pdf_tells_each_commitments_year_without_naming_anyone(app, demo, followed):
    report = report_for(app, demo, followed, 2025)
    with app.app_context():
        rendered = render_yearly(report, today=TODAY)
    assert rendered.data.startswith(b"%PDF-")
    reader = PdfReader(BytesIO(rendered.data))
    assert len(reader.pages) == rendered.pages >= 1
    assert reader.metadata.title == "Uppföljning av medborgarlöftet – Ekbacka 2025"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    text = text_of(rendered.data)
    assert "Uppföljning av medborgarlöftet – Ekbacka 2025" in text
    assert "Tryggare Ekbacka 2025–2026" in text
    assert "Period 2025–2026" in text
    assert "12 december 2024 av Kommunstyrelsens ordförande och lokalpolisområdeschefen" in text
    assert "Läget den 31 december 2025" in text
    for heading in ("Unga som samlas vid Resecentrum", "Mörka passager", "Övriga åtaganden"):
        assert heading in text
    for number, commitment in enumerate((WALKS, LIGHTS, YOUTH), start=1):
        assert f"Åtagande {number} {commitment}" in text
    # The summary row of the walks: 1 of 2 done (one still open), 1 of 1 on time, behind.
    assert "1 av 2 1 av 1 Efter" in text
    assert (
        "Beslutade under året 3 Genomförda under året 1 varav i tid 1 "
        "Öppna vid årets slut 1 Inställda under året 1"
    ) in text
    assert "20 april 2025 Polisen" in text
    assert DONE_2025 in text and OUTCOME_2025 in text
    assert LATE_DONE_2026 not in text and CANCELLED_2025 not in text
    assert "Åtagandet hade inga åtgärder under 2025." in text
    assert "Andel trygga resenärer (Mål: 75 procent)" in text
    assert PERSON not in text and "Lind" not in text


def test_the_running_year_says_so_and_which_commitment_had_nothing_done(app, demo, followed):
    report = report_for(app, demo, followed, 2026)
    with app.app_context():
        text = text_of(render_yearly(report, today=TODAY).data)
    assert "Läget den 23 november 2026 (året pågår" in text
    assert "Öppna i dag 1" in text
    assert "Ingen åtgärd för åtagandet blev genomförd under 2026." in text
    assert LATE_DONE_2026 in text and "efter slutdatum" in text
    assert LIGHTS_DONE_2026 in text and LIGHTS_OUTCOME in text
    assert PERSON not in text
    assert file_name(report) == "medborgarloefte-ekbacka-2026.pdf"


# --- the command line ------------------------------------------------------------------------


def run(app, *args):
    return app.test_cli_runner().invoke(cli, ["promises", "report", *args])


def test_the_command_writes_the_pdf_and_says_where(app, demo, followed, tmp_path):
    target = tmp_path / "uppfoljning.pdf"
    result = run(app, "--kommun", "ekbacka", "--year", "2025", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert re.fullmatch(
        rf"Skrev årsuppföljningen till {re.escape(str(target))} \(\d+ sid(a|or)\)\.\n",
        result.output,
    )
    assert "Uppföljning av medborgarlöftet – Ekbacka 2025" in text_of(target.read_bytes())


def test_the_command_names_the_file_by_kommun_and_year_by_default(
    app, demo, followed, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    result = run(app, "--kommun", "Ekbacka", "--year", "2025")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "medborgarloefte-ekbacka-2025.pdf").read_bytes().startswith(b"%PDF-")
    assert "medborgarloefte-ekbacka-2025.pdf" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kommun", "nowhere", "--year", "2025"], "det finns ingen kommun med kortnamnet"),
        (["--kommun", "ekbacka", "--year", "tjugo"], "Ange året som ett årtal mellan 2000"),
        (["--kommun", "ekbacka", "--year", "1999"], "Ange året som ett årtal mellan 2000"),
        (["--kommun", "ekbacka", "--year", "2101"], "Ange året som ett årtal mellan 2000"),
        (["--kommun", "ekbacka", "--year", "2024"], "har inget medborgarlöfte som gällde 2024"),
        (["--kommun", "ekbacka", "--year", "2099"], "Året 2099 har inte börjat än."),
        (["--year", "2025"], "ange kommunen med --kommun SLUG"),
        (["--kommun", "ekbacka"], "ange året med --year"),
    ],
)
def test_bad_input_gives_one_swedish_line_and_a_failure(app, demo, followed, args, message):
    result = run(app, *args)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Fel: ") and message in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("where", "reason"),
    [("saknas/fil.pdf", "mappen finns inte"), (".", "det är en mapp")],
)
def test_an_unwritable_output_is_refused_in_swedish(app, demo, followed, tmp_path, where, reason):
    target = tmp_path / where
    result = run(app, "--kommun", "ekbacka", "--year", "2025", "--output", str(target))
    assert result.exit_code == 1
    assert result.output.strip() == f"Fel: kan inte skriva {target}: {reason}"
