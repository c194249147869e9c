"""Compiling, versioning, assessing and publishing the lägesbild (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event, func, select

from estapp.lagesbild import services
from estapp.models import AuditEvent, CompileReason, PictureStatus, SituationPicture
from estapp.weeks import IsoWeek
from tests.integration.lagesbild_support import (
    NOW,
    WEEK,
    committed,
    kommun,
    organisation,
    place,
    report,
)


def compile_week(db, week=WEEK, slug="ekbacka", reason=CompileReason.MANUAL):
    return services.compile_picture(db, kommun(db, slug), week, reason=reason, actor=None, now=NOW)


@pytest.fixture
def week_with_data(demo):
    db = demo
    ekbacka = kommun(db)
    with committed(db):
        for offset in range(1, 9):  # a quiet baseline: 2 klotter a week
            report(
                db,
                ekbacka,
                organisation(db, "Polisen"),
                WEEK.shift(-offset),
                [("Klotter", "Stora torget", 2)],
            )
        report(
            db,
            ekbacka,
            organisation(db, "Polisen"),
            WEEK,
            [
                ("Klotter", "Stora torget", 9),
                ("Skadegörelse", "Resecentrum", 1),
            ],
            concern="hog",
        )
        report(
            db,
            ekbacka,
            organisation(db, "Ekbacka kommun, barn"),
            WEEK,
            [
                ("Klotter", "Stora torget", 2),
            ],
            time_of_day="dag",
            weekday=2,
            late=True,
        )
        report(db, ekbacka, organisation(db, "Ekbackahem"), WEEK, [])
    return db


def test_compile_aggregates_the_week(week_with_data):
    db = week_with_data
    with committed(db):
        picture, created = compile_week(db)
    assert created and picture.version == 1 and picture.status == PictureStatus.DRAFT
    payload = picture.payload
    assert payload["total"] == 12 and payload["observations"] == 3
    by_category = {row["label"]: row for row in payload["by_category"]}
    assert by_category["Klotter"]["count"] == 11
    assert by_category["Klotter"]["baseline_mean"] == 2.0
    assert by_category["Klotter"]["deviation"] == "ovanligt_hog"
    assert by_category["Skadegörelse"]["deviation"] == "normal"  # 1 against 0 is no alarm
    assert {row["label"]: row["count"] for row in payload["by_area"]}["Centrum"] == 12
    times = {row["key"]: row["count"] for row in payload["by_time_of_day"]}
    assert times == {"natt": 0, "morgon": 0, "dag": 2, "kvall": 10}
    days = {row["day"]: row["count"] for row in payload["by_weekday"]}
    assert days[5] == 10 and days[2] == 2 and days[1] == 0
    top = payload["hot_spot_places"][0]
    assert top["label"] == "Stora torget" and top["several"] and top["count"] == 11
    assert payload["trend"]["total"][-9:] == [2] * 8 + [12]
    participation = payload["participation"]
    assert participation["reported"] == 2 and participation["nothing_to_report"] == 1
    assert participation["late"] == 1
    assert "Räddningstjänsten Ekbacka–Sjövik" in participation["missing_organisations"]
    # The payload is aggregates only: no description ever leaves the observations.
    assert "Beskrivning" not in json.dumps(payload, ensure_ascii=False)


def test_recompiling_an_unchanged_week_makes_no_new_version(week_with_data):
    db = week_with_data
    with committed(db):
        first, _ = compile_week(db)
    with committed(db):
        again, created = compile_week(db)
    assert not created and again.id == first.id
    assert db.scalar(select(func.count()).select_from(SituationPicture)) == 1


def test_a_change_makes_a_new_version_and_publishing_freezes(week_with_data):
    db = week_with_data
    ekbacka = kommun(db)
    with committed(db):
        first, _ = compile_week(db)
        services.save_assessment(
            db,
            first,
            assessment="Klottret ökar vid torget.",
            notable_events="",
            focus_place_ids=[place(db, ekbacka, "Stora torget").id],
            actor=None,
            now=NOW,
        )
        services.publish_picture(db, first, actor=_coordinator(db), now=NOW)
    frozen = dict(first.payload)
    with committed(db):
        report(
            db,
            ekbacka,
            organisation(db, "Räddningstjänsten"),
            WEEK,
            [("Anlagd brand", "Garagen", 1)],
        )
    with committed(db):
        second, created = compile_week(db)
    assert created and second.version == 2 and second.status == PictureStatus.DRAFT
    assert second.assessment == "Klottret ökar vid torget."  # the text is carried over
    db.expire_all()
    assert first.payload == frozen and first.status == PictureStatus.PUBLISHED
    with pytest.raises(services.PictureRefused, match="fastställd och kan inte ändras"):
        services.save_assessment(
            db, first, assessment="x", notable_events="", focus_place_ids=[], actor=None, now=NOW
        )
    db.rollback()
    differences = {d.label: (d.before, d.after) for d in services.compare_versions(first, second)}
    assert differences["Händelser totalt"] == (12, 13)
    assert differences["Händelsetyp: Anlagd brand"] == (0, 1)
    assert "Händelsetyp: Klotter" not in differences
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("situation%")))
    assert sorted(actions) == [
        "situation_picture_assessed",
        "situation_picture_compiled",
        "situation_picture_compiled",
        "situation_picture_published",
    ]


def test_an_out_of_date_version_cannot_be_published(week_with_data):
    db = week_with_data
    with committed(db):
        first, _ = compile_week(db)
    with committed(db):
        report(
            db, kommun(db), organisation(db, "Räddningstjänsten"), WEEK, [("Klotter", "Garagen", 1)]
        )
    with committed(db):
        compile_week(db)
    with pytest.raises(services.PictureRefused, match="En nyare version finns"):
        services.publish_picture(db, first, actor=_coordinator(db), now=NOW)


def test_a_future_week_is_refused(demo):
    with pytest.raises(services.PictureRefused, match="har inte börjat än"):
        compile_week(demo, IsoWeek(2026, 49))


def test_an_empty_week_is_a_valid_picture(demo):
    with committed(demo):
        picture, created = compile_week(demo, slug="sjovik")
    assert created and picture.payload["total"] == 0
    assert picture.payload["participation"]["missing"] == 5
    assert all(row["count"] == 0 for row in picture.payload["by_category"])


def test_focus_places_must_belong_to_the_kommun(demo):
    db = demo
    with committed(db):
        picture, _ = compile_week(db)
        elsewhere = place(db, kommun(db, "sjovik"), "Hamnen").id
        with pytest.raises(services.PictureRefused, match="kommunens platser"):
            services.save_assessment(
                db,
                picture,
                assessment="",
                notable_events="",
                focus_place_ids=[elsewhere],
                actor=None,
                now=NOW,
            )


def test_aggregation_never_loads_observation_rows(week_with_data, engine):
    db = week_with_data
    statements = []

    def remember(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", remember)
    try:
        with committed(db):
            compile_week(db)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    on_observations = [s for s in statements if "FROM observation" in s]
    assert on_observations and all(
        "GROUP BY" in s or "count(" in s or "min(" in s for s in on_observations
    )
    assert not any("observation.description" in s for s in statements)


def _coordinator(db):
    from estapp.models import User

    return db.scalar(select(User).where(User.email == "samordnare@ekbacka.example"))
