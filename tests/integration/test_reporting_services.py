"""Weekly reporting services against the database: rules, lateness, submitting and drafts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from estapp.models import (
    Area,
    AuditEvent,
    Category,
    Concern,
    Municipality,
    ObservationDraft,
    Organisation,
    Place,
    ReportStatus,
    TimeOfDay,
    User,
)
from estapp.reporting import coordination, services
from estapp.reporting.domain import PartnerStatus
from estapp.weeks import IsoWeek

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WEEK = IsoWeek(2026, 47)  # 16–22 November 2026; due Monday 23 November 09.00
DURING = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
AFTER_DEADLINE = datetime(2026, 11, 23, 8, 0, 1, tzinfo=UTC)  # 09.00:01 in Stockholm
JUST_BEFORE = datetime(2026, 11, 23, 7, 59, 59, tzinfo=UTC)


class Demo:
    """The demo objects the tests need, looked up by name."""

    def __init__(self, db: Session) -> None:
        self.db = db
        self.ekbacka = self._kommun("ekbacka")
        self.sjovik = self._kommun("sjovik")
        self.skola = db.scalar(select(Organisation).where(Organisation.name.like("%barn och%")))
        self.reporter = db.scalar(select(User).where(User.email == "skola@rapport.example"))

    def _kommun(self, slug: str) -> Municipality:
        return self.db.scalar(select(Municipality).where(Municipality.slug == slug))

    def area(self, name: str, kommun: Municipality | None = None) -> Area:
        kommun = kommun or self.ekbacka
        return self.db.scalar(
            select(Area).where(Area.name == name, Area.municipality_id == kommun.id)
        )

    def place(self, name: str) -> Place:
        return self.db.scalar(select(Place).where(Place.name == name))

    def category(self, name: str, kommun: Municipality | None = None) -> Category:
        kommun = kommun or self.ekbacka
        return self.db.scalar(
            select(Category).where(Category.name == name, Category.municipality_id == kommun.id)
        )

    def data(self, **changes: object) -> services.ObservationInput:
        values = services.ObservationInput(
            occurred_on=date(2026, 11, 18),
            time_of_day=TimeOfDay.EVENING,
            exact_time=None,
            area_id=self.area("Centrum").id,
            place_id=self.place("Stora torget").id,
            other_place=None,
            category_id=self.category("Klotter").id,
            description="Nytt klotter på busskuren.",
            occurrences=1,
            concern=Concern.MEDIUM,
        )
        return replace(values, **changes)

    def report(self, week: IsoWeek = WEEK, now: datetime = DURING):
        return services.open_report(self.db, self.ekbacka, self.skola, week, now=now)

    def save(self, report, data=None, *, now: datetime = DURING, **kw):
        deadline = services.report_deadline(self.ekbacka, services.week_of(report), STOCKHOLM)
        return services.save_observation(
            self.db, self.reporter, report, data or self.data(), deadline=deadline, now=now, **kw
        )

    def submit(self, report, *, nothing: bool = False, revision=None, now: datetime = DURING):
        deadline = services.report_deadline(self.ekbacka, services.week_of(report), STOCKHOLM)
        return services.submit_report(
            self.db,
            self.reporter,
            report,
            nothing_to_report=nothing,
            expected_revision=revision,
            deadline=deadline,
            now=now,
        )


@pytest.fixture
def d(db: Session, demo: Session) -> Demo:
    return Demo(db)


def _rejected(d: Demo, **changes: object) -> dict[str, str]:
    with pytest.raises(services.ObservationRejected) as rejected:
        d.save(d.report(), d.data(**changes))
    return rejected.value.errors


def test_a_date_outside_the_week_is_refused(d):
    errors = _rejected(d, occurred_on=date(2026, 11, 23))

    assert errors == {
        "occurred_on": "Datumet måste ligga i vecka 47, 2026 (2026-11-16–2026-11-22)."
    }


def test_a_place_of_another_area_or_kommun_is_refused(d):
    norrmalm = d.place("Idrottsplatsen")
    assert "place_id" in _rejected(d, place_id=norrmalm.id)
    hamnen = d.place("Hamnen")
    assert "place_id" in _rejected(d, place_id=hamnen.id)
    assert "area_id" in _rejected(d, area_id=d.area("Centrum", d.sjovik).id, place_id=hamnen.id)


def test_no_place_needs_a_description_of_where(d):
    errors = _rejected(d, place_id=None, other_place="  ")

    assert errors == {"other_place": "Välj en plats, eller beskriv kort var det hände."}
    saved = d.save(d.report(), d.data(place_id=None, other_place=" bakom pizzerian "))
    assert saved.other_place == "bakom pizzerian" and saved.place_id is None


def test_unknown_foreign_and_inactive_categories_are_refused(d):
    assert _rejected(d, category_id=999_999) == {"category_id": "Välj en händelsetyp från listan."}
    foreign = d.category("Klotter", d.sjovik)
    assert _rejected(d, category_id=foreign.id) == {
        "category_id": "Välj en händelsetyp från listan."
    }
    retired = d.category("Trafik")
    retired.active = False
    assert _rejected(d, category_id=retired.id) == {
        "category_id": "Händelsetypen används inte längre. Välj en annan."
    }


def test_count_and_description_limits_hold_in_the_service_too(d):
    assert "occurrences" in _rejected(d, occurrences=0)
    assert "occurrences" in _rejected(d, occurrences=1000)
    assert "description" in _rejected(d, description="x" * 2001)
    assert "description" in _rejected(d, description="   ")


def test_a_personnummer_blocks_and_names_only_warn(d):
    with pytest.raises(services.ObservationRejected) as rejected:
        d.save(d.report(), d.data(description="Han uppgav 811218-9876 till polisen."))
    assert "personnummer (811218-9876)" in rejected.value.errors["description"]
    assert [f.text for f in rejected.value.findings] == ["811218-9876"]

    named = d.data(description="Bråk utanför, Anna Svensson ringde.")
    with pytest.raises(services.ObservationRejected):
        d.save(d.report(), named)
    assert d.save(d.report(), replace(named, accept_name_warning=True)).id is not None


def test_a_name_in_the_other_place_is_shown_at_that_field(d):
    errors = _rejected(d, place_id=None, other_place="Hos Karin Holm")

    assert set(errors) == {"other_place"}


def test_an_exact_time_decides_the_time_of_day(d):
    saved = d.save(d.report(), d.data(time_of_day=TimeOfDay.MORNING, exact_time=time(23, 10)))

    assert saved.time_of_day is TimeOfDay.EVENING


def test_changes_after_the_deadline_are_marked_late(d):
    report = d.report()
    in_time = d.save(report, now=JUST_BEFORE)
    assert not in_time.late and not report.late

    late = d.save(report, now=AFTER_DEADLINE)

    assert late.late
    assert report.late  # a draft changed after the deadline
    d.submit(report, now=AFTER_DEADLINE)
    assert report.late and report.status is ReportStatus.SUBMITTED


def test_a_submission_in_time_is_not_late_and_stays_so_when_resent(d):
    report = d.report()
    d.save(report)
    d.submit(report, now=JUST_BEFORE)
    assert not report.late

    d.save(report, d.data(description="Tillägg."), now=AFTER_DEADLINE)
    d.submit(report, now=AFTER_DEADLINE)

    assert not report.late  # the week came in on time; only the addition is late
    assert [o.late for o in report.observations] == [False, True]


def test_nothing_to_report_is_refused_while_the_week_has_observations(d):
    report = d.report()
    d.save(report)

    with pytest.raises(services.ReportingRefused, match="Veckan har händelser"):
        d.submit(report, nothing=True)


def test_an_empty_week_cannot_be_submitted_as_having_observations(d):
    with pytest.raises(services.ReportingRefused, match="Veckan har inga händelser"):
        d.submit(d.report())


def test_a_stale_revision_is_refused(d):
    report = d.report()
    opened_at = report.revision
    d.save(report)

    with pytest.raises(services.ReportingRefused, match="har ändrats sedan du öppnade sidan"):
        d.submit(report, revision=opened_at)

    d.submit(report, revision=report.revision)
    assert report.status is ReportStatus.SUBMITTED


def test_submitting_again_unchanged_does_nothing(d, db):
    report = d.report()
    d.save(report)
    revision = report.revision
    d.submit(report, revision=revision)
    submitted_at, revision_after = report.submitted_at, report.revision

    d.submit(report, revision=revision, now=DURING + timedelta(seconds=2))

    assert report.submitted_at == submitted_at and report.revision == revision_after
    count = db.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "report_submitted")
    )
    assert count == 1


def test_an_observation_after_nothing_to_report_makes_the_week_submitted(d):
    report = d.report()
    d.submit(report, nothing=True)

    d.save(report, now=DURING + timedelta(hours=1))

    assert report.status is ReportStatus.SUBMITTED
    assert report.updated_at > report.submitted_at


def test_removing_an_observation_bumps_the_revision(d):
    report = d.report()
    observation = d.save(report)
    revision = report.revision
    deadline = services.report_deadline(d.ekbacka, WEEK, STOCKHOLM)

    services.remove_observation(d.db, d.reporter, observation, deadline=deadline, now=DURING)

    assert report.revision == revision + 1 and report.observations == []


def test_drafts_round_trip_and_are_discarded_on_save(d, db):
    report = d.report()
    typed = {"description": "Halvfärdig", "occurrences": "3", "csrf_token": "x", "other": "y"}

    services.keep_draft(db, d.reporter, report, None, typed, now=DURING)
    services.keep_draft(
        db, d.reporter, report, None, {**typed, "description": "Längre"}, now=DURING
    )

    loaded = services.load_draft(db, d.reporter, report, None)
    assert loaded["description"] == "Längre" and loaded["occurrences"] == "3"
    assert "csrf_token" not in loaded and "other" not in loaded
    assert services.draft_saved_at(db, d.reporter, report, None) == DURING
    assert db.scalar(select(func.count(ObservationDraft.id))) == 1

    d.save(report)
    db.flush()

    assert services.load_draft(db, d.reporter, report, None) is None


def test_a_draft_of_a_change_is_kept_apart_from_the_new_one(d, db):
    report = d.report()
    observation = d.save(report)
    services.keep_draft(db, d.reporter, report, observation.id, {"description": "a"}, now=DURING)

    assert services.load_draft(db, d.reporter, report, None) is None
    assert services.load_draft(db, d.reporter, report, observation.id)["description"] == "a"
    services.discard_draft(db, d.reporter, report, observation.id)
    db.flush()
    assert services.load_draft(db, d.reporter, report, observation.id) is None


def test_only_reporters_of_active_partners_in_the_kommun_may_report(d):
    assert services.may_report(d.reporter, d.ekbacka, d.skola)
    assert not services.may_report(d.reporter, d.sjovik, d.skola)
    d.skola.active = False
    assert not services.may_report(d.reporter, d.ekbacka, d.skola)


def test_partner_rows_show_each_partners_status(d, db):
    report = d.report()
    d.save(report)
    d.submit(report)

    rows = coordination.partner_rows(db, d.ekbacka, WEEK, tz=STOCKHOLM, now=DURING)

    by_name = {row.organisation.name: row for row in rows}
    assert len(rows) == 6
    assert by_name[d.skola.name].status is PartnerStatus.SUBMITTED
    assert by_name[d.skola.name].observation_count == 1
    assert by_name[d.skola.name].changed_after_submission is None
    assert sum(row.has_reported for row in rows) == 1
    assert {row.status for row in rows if row.organisation != d.skola} == {PartnerStatus.MISSING}


def test_a_correction_checks_the_kommun_and_is_audited(d, db):
    observation = d.save(d.report())
    revision, updated_at = observation.report.revision, observation.report.updated_at
    coordinator = db.scalar(select(User).where(User.email == "samordnare@ekbacka.example"))

    with pytest.raises(services.ObservationRejected) as rejected:
        coordination.correct_observation(
            db,
            coordinator,
            observation,
            category_id=d.category("Klotter", d.sjovik).id,
            place_id=d.place("Hamnen").id,
            now=DURING,
        )
    assert set(rejected.value.errors) == {"category_id", "place_id"}

    changes = coordination.correct_observation(
        db,
        coordinator,
        observation,
        category_id=d.category("Skadegörelse").id,
        place_id=d.place("Garagen").id,
        now=DURING,
    )

    assert changes["category"] == ["Klotter", "Skadegörelse"]
    assert observation.area.name == "Sjöängen"  # the area follows the place
    assert observation.corrected_by_coordinator
    # The reporter's report is left alone: no 'ändrad efter inskick', no stale submit form.
    assert (observation.report.revision, observation.report.updated_at) == (revision, updated_at)
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == observation.id))
    assert "observation_corrected" in list(actions)
