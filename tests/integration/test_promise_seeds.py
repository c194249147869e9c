"""Five real medborgarlöften, entered through the services, each show up whole on their page.

The promises are transcribed from the police's published texts in ``promise_seeds/``: bullet
lists ("Vi lovar att"), one table of activities with omfattning, ansvarig, uppföljning and
utvärdering (Trollhättan 2018), one- and two-year periods, problem areas with and without
headings. The services also refuse what does not belong to the promise, and change nothing.
"""

from __future__ import annotations

import html
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from estapp.admin import services as admin_services
from estapp.db import utcnow
from estapp.models import (
    Commitment,
    IndicatorDirection,
    Municipality,
    Promise,
    PromiseStatus,
    ResponsibleParty,
)
from estapp.promises import services
from estapp.promises.services import (
    CommitmentInput,
    ProblemAreaInput,
    PromiseInput,
    PromiseRejected,
)

SEEDS = sorted((Path(__file__).parent / "promise_seeds").glob("*.json"))
ADMIN = "admin@estapp.example"
PARTIES = {"kommun": "kommunen", "polis": "polisen", "ovriga": "andra"}


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def enter(db, seed: dict[str, Any]) -> Promise:
    """Enter one transcribed promise through the services, as the coordinator's pages do."""
    now = utcnow()
    kommun = admin_services.create_municipality(db, None, seed["kommun"], seed["slug"], now=now)
    data = seed["promise"]
    promise = services.create_promise(
        db,
        None,
        kommun,
        PromiseInput(
            title=data["title"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            status=PromiseStatus(data["status"]),
            summary=data["summary"],
            background=data["background"],
            problem_areas=[
                ProblemAreaInput(area["name"], area["description"])
                for area in data["problem_areas"]
            ],
            goal=data["goal"],
            follow_up=data["follow_up"],
            signed_on=date.fromisoformat(data["signed_on"]) if data["signed_on"] else None,
            signatories=data["signatories"],
            contact=data["contact"],
        ),
        now=now,
    )
    for item in seed["commitments"]:
        indicator = item.get("indicator") or {}
        services.create_commitment(
            db,
            None,
            promise,
            CommitmentInput(
                text=item["text"],
                responsible=frozenset(ResponsibleParty(p) for p in item["responsible"]),
                responsible_detail=item.get("responsible_detail", ""),
                scope=item.get("scope", ""),
                follow_up=item.get("follow_up", ""),
                evaluation=item.get("evaluation", ""),
                problem_area_ids=[
                    promise.problem_areas[i].id for i in item.get("problem_areas", [])
                ],
                indicator_name=indicator.get("name", ""),
                indicator_unit=indicator.get("unit", ""),
                indicator_direction=(
                    IndicatorDirection(indicator["direction"])
                    if indicator.get("direction")
                    else None
                ),
                indicator_target=indicator.get("target"),
                indicator_note=indicator.get("note", ""),
            ),
            now=now,
        )
    db.commit()
    return promise


def squash(text: str) -> str:
    return " ".join(text.split())


def text_of(markup: str) -> str:
    """Visible text of some HTML, entities decoded, runs of whitespace collapsed."""
    return squash(html.unescape(re.sub(r"<[^>]+>", " ", markup))).replace(" ,", ",")


def element(markup: str, element_id: str) -> str:
    """The HTML of the <li> or <section> with this id (they are not nested in themselves)."""
    match = re.search(
        rf'<(li|section)[^>]*id="{re.escape(element_id)}"[^>]*>(.*?)</\1>', markup, re.S
    )
    assert match, f"no element #{element_id}"
    return match.group(2)


def shortened(text: str) -> str:
    """How a problem area without a heading is named: the start of its text."""
    return text if len(text) <= 60 else text[:59].rstrip() + "…"


def expected_responsible(item: dict[str, Any]) -> str:
    names = [PARTIES[p] for p in ("kommun", "polis", "ovriga") if p in item["responsible"]]
    text = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} och {names[-1]}"
    text = text[:1].upper() + text[1:]
    detail = item.get("responsible_detail")
    return f"{text} ({detail})" if detail else text


@pytest.fixture
def admin_client(demo, login):
    return login(ADMIN)


@pytest.mark.parametrize("path", SEEDS, ids=lambda path: path.stem)
def test_a_real_promise_shows_up_whole_on_its_page(path, db, admin_client):
    seed = load(path)
    promise = enter(db, seed)
    data = seed["promise"]

    response = admin_client.get(f"/medborgarloften/{seed['slug']}/{promise.id}")

    assert response.status_code == 200
    markup = response.get_data(as_text=True)
    markup = markup[markup.find("<main") : markup.find("</main>")]
    page = text_of(markup)
    start, end = data["period_start"], data["period_end"]
    period = str(start) if start == end else f"{start}–{end}"
    assert squash(data["title"]) in page
    assert f"{seed['kommun']} · {period} ·" in page
    for name in ("summary", "background", "goal", "follow_up", "signatories", "contact"):
        assert squash(data[name]) in page, name

    problems = text_of(element(markup, "problemomraden")) if data["problem_areas"] else ""
    shown_at = -1
    for area in data["problem_areas"]:
        wanted = squash(f"{area['name']} {area['description']}")
        assert wanted in problems
        assert problems.index(wanted) > shown_at, "problem areas out of order"
        shown_at = problems.index(wanted)

    stored = list(promise.commitments)
    assert len(stored) == len(seed["commitments"])
    assert f"Åtagande {len(stored)}" in page and f"Åtagande {len(stored) + 1}" not in page
    shown_at = -1
    for number, (item, commitment) in enumerate(zip(seed["commitments"], stored, strict=True), 1):
        block = text_of(element(markup, f"atagande-{commitment.id}"))
        assert block.startswith(f"Åtagande {number} {squash(item['text'])}")
        assert page.index(block) > shown_at, "commitments out of order"
        shown_at = page.index(block)
        assert f"Ansvarig {expected_responsible(item)}" in block
        for label, key in (
            ("Omfattning", "scope"),
            ("Uppföljning", "follow_up"),
            ("Utvärdering", "evaluation"),
        ):
            if item.get(key):
                assert f"{label} {squash(item[key])}" in block, key
            else:
                assert label not in block, key
        linked = [data["problem_areas"][i] for i in item.get("problem_areas", [])]
        if linked:
            labels = ", ".join(area["name"] or shortened(area["description"]) for area in linked)
            assert f"Problemområden {labels}" in block
        indicator = item.get("indicator")
        if indicator:
            assert f"Indikator {indicator['name']}" in block
            assert indicator["note"] in block


def test_the_trollhattan_table_keeps_each_column_of_each_row(db, admin_client):
    """The table's rows read back with the same omfattning, ansvarig, uppföljning, utvärdering."""
    seed = load(next(path for path in SEEDS if path.stem == "trollhattan"))
    promise = enter(db, seed)

    rows = [
        (c.scope, c.responsible, c.responsible_detail, c.follow_up, c.evaluation)
        for c in promise.commitments
    ]

    polis, kommun = frozenset({ResponsibleParty.POLIS}), frozenset({ResponsibleParty.KOMMUN})
    fyrbodal = "Lokalpolisområde Östra Fyrbodal"
    assert rows == [
        ("Löpande", polis, "Gruppchef", fyrbodal, "Kommunpolis"),
        ("Löpande", polis, "Kommunpolis", fyrbodal, fyrbodal),
        (
            "2 st under 2018",
            kommun,
            "Folkhälsohandläggare Trollhättans Stad",
            "Trollhättans Stad",
            "Trygghetsgruppen",
        ),
        (
            "Under 2018",
            kommun,
            "Folkhälsostrateg Trollhättans stad",
            "Trollhättans stad",
            "Trygghetsgruppen",
        ),
    ]


def test_the_kommun_list_shows_each_promise_with_its_commitments(db, admin_client):
    for path in SEEDS:
        seed = load(path)
        enter(db, seed)
        page = text_of(admin_client.get(f"/medborgarloften/{seed['slug']}").get_data(as_text=True))
        count = len(seed["commitments"])
        assert f"{squash(seed['promise']['title'])}" in page
        assert f"{count} åtaganden" in page


# --- what the services refuse ----------------------------------------------------------------


@pytest.fixture
def two_promises(app, db, demo):
    """Töreboda's and Mariestad's promises, inside an app context (messages are translated)."""
    with app.app_context():
        toreboda = enter(db, load(next(p for p in SEEDS if p.stem == "toreboda")))
        mariestad = enter(db, load(next(p for p in SEEDS if p.stem == "mariestad")))
        yield toreboda, mariestad


def snapshot(db) -> list[tuple[Any, ...]]:
    db.expire_all()
    return [
        (c.id, c.promise_id, c.position, c.text, c.responsible, [a.id for a in c.problem_areas])
        for c in db.scalars(select(Commitment).order_by(Commitment.id))
    ] + [
        (p.id, p.title, p.period_start, p.period_end, [(a.id, a.name) for a in p.problem_areas])
        for p in db.scalars(select(Promise).order_by(Promise.id))
    ]


def messages(rejected: pytest.ExceptionInfo[PromiseRejected]) -> dict[str, str]:
    return {name: str(message) for name, message in rejected.value.errors.items()}


def test_another_kommuns_commitment_is_refused_and_nothing_changes(db, two_promises):
    toreboda, mariestad = two_promises
    theirs = mariestad.commitments[0]
    before = snapshot(db)
    now = utcnow()
    expected = {"": "Åtagandet hör inte till medborgarlöftet Töreboda – medborgarlöfte."}

    with pytest.raises(PromiseRejected) as rejected:
        services.update_commitment(
            db,
            None,
            toreboda,
            theirs.id,
            CommitmentInput("Vi ska", frozenset({ResponsibleParty.POLIS})),
            now=now,
        )
    assert messages(rejected) == expected
    with pytest.raises(PromiseRejected) as rejected:
        services.delete_commitment(db, None, toreboda, theirs.id, now=now)
    assert messages(rejected) == expected
    with pytest.raises(PromiseRejected) as rejected:
        services.move_commitment(db, None, toreboda, theirs.id, -1, now=now)
    assert messages(rejected) == expected
    with pytest.raises(PromiseRejected):
        services.reorder_commitments(
            db, None, toreboda, [theirs.id, *[c.id for c in toreboda.commitments[1:]]], now=now
        )
    db.rollback()

    assert snapshot(db) == before


def test_another_promises_problem_area_is_refused_and_nothing_changes(db, two_promises):
    toreboda, mariestad = two_promises
    theirs = mariestad.problem_areas[0].id
    before = snapshot(db)
    now = utcnow()

    with pytest.raises(PromiseRejected) as rejected:
        services.update_commitment(
            db,
            None,
            toreboda,
            toreboda.commitments[0].id,
            CommitmentInput(
                "Ny text", frozenset({ResponsibleParty.KOMMUN}), problem_area_ids=[theirs]
            ),
            now=now,
        )
    assert messages(rejected) == {
        "problem_areas": "Ett av de valda problemområdena hör inte till det här medborgarlöftet."
    }
    with pytest.raises(PromiseRejected) as rejected:
        services.update_promise(
            db,
            None,
            toreboda,
            PromiseInput("Ny rubrik", 2023, 2024, problem_areas=[ProblemAreaInput("x", id=theirs)]),
            now=now,
        )
    assert "hör inte till det här medborgarlöftet" in messages(rejected)["problem_areas-0-name"]
    db.rollback()

    assert snapshot(db) == before


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (2024, 2023, "period_end", "Sista året kan inte vara före det första (2024)."),
        (
            2024,
            2026,
            "period_end",
            "Ett medborgarlöfte gäller ett eller två år: sista året ska vara 2024 eller 2025.",
        ),
        (1024, 1024, "period_start", "Ange första året som ett årtal mellan 2000 och 2100."),
    ],
)
def test_a_period_must_be_one_or_two_years(app, db, demo, start, end, field, message):
    kommun = db.scalar(select(Municipality).where(Municipality.slug == "ekbacka"))
    with app.app_context(), pytest.raises(PromiseRejected) as rejected:
        services.create_promise(db, None, kommun, PromiseInput("Löfte", start, end), now=utcnow())
    assert messages(rejected) == {field: message}


def test_a_commitment_needs_its_text_and_who_is_responsible(app, db, two_promises):
    toreboda, _ = two_promises
    with pytest.raises(PromiseRejected) as rejected:
        services.create_commitment(
            db,
            None,
            toreboda,
            CommitmentInput(
                "  \n ",
                frozenset({ResponsibleParty.OTHERS}),
                indicator_unit="procent",
                indicator_target=float("nan"),
            ),
            now=utcnow(),
        )
    assert messages(rejected) == {
        "text": "Skriv vad ni lovar, till exempel ”Vi ska …”.",
        "responsible_detail": "Skriv vilka de andra ansvariga är, till exempel Räddningstjänsten.",
        "indicator_target": "Skriv målvärdet som ett tal, till exempel 75 eller 12,5.",
        "indicator_name": "Ge indikatorn ett namn, eller töm indikatorns fält.",
    }
    with pytest.raises(PromiseRejected) as rejected:
        services.create_commitment(db, None, toreboda, CommitmentInput("Vi ska"), now=utcnow())
    assert messages(rejected) == {
        "responsible": "Välj vem som ansvarar: kommunen, polisen eller andra."
    }
    assert len(toreboda.commitments) == 4
