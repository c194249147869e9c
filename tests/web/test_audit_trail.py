"""The audit trail the issue asks for, as the admin reads it on the log page; and that nothing
in the application can change or delete what is written there."""

from __future__ import annotations

import inspect
import sys
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select, update

from estapp.audit import AuditLogIsAppendOnly
from estapp.db import make_session_factory, utcnow
from estapp.distribution.outbox import queue_message, send_due
from estapp.meetings.actions import create_action, follow_up_action
from estapp.meetings.rules import ActionInput, FollowUpInput
from estapp.models import ActionStatus, AuditEvent
from estapp.retention.purge import run_retention
from estapp.weeks import IsoWeek
from tests.conftest import CsrfClient, log_in, make_settings
from tests.integration.lagesbild_support import committed, kommun, organisation, report
from tests.integration.smtp_server import RecordingHandler, free_port, smtp_server
from tests.web.conftest import field_error
from tests.web.test_admin_audit import log_rows

COORDINATOR = "samordnare@ekbacka.example"
POLICE = "polis@rapport.example"
STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def visitor(app) -> CsrfClient:
    """A second browser, beside the admin's."""
    return CsrfClient(app.test_client())


def all_details(db) -> str:
    db.rollback()
    return " ".join(str(e.details) for e in db.scalars(select(AuditEvent)))


# --- logins ---------------------------------------------------------------------------------


def test_a_failed_login_names_the_account_never_the_address_as_typed(admin, visitor, find, db):
    log_in(visitor, POLICE, "fel-lösenord-1")
    log_in(visitor, "maria.lind@privat.example", "hemligt-lösen-2")
    police = find.user(POLICE)

    page = log_rows(admin.get("/admin/logg?handelse=login_failed"))
    assert f"systemet eller okänd misslyckad inloggning användare #{police.id} {POLICE}" in page
    assert "orsak: fel lösenord" in page
    assert "orsak: ingen användare har den e-postadressen" in page
    assert page.count("adress: 127.0.0.1") == 2
    for typed in ("privat.example", "fel-lösenord-1", "hemligt-lösen-2"):
        assert typed not in page and typed not in all_details(db)


def test_a_login_to_a_deactivated_account_is_logged(admin, visitor, find):
    police = find.user(POLICE)
    url = f"/admin/anvandare/{police.id}"
    admin.post(f"{url}/inaktivera", {}, form_page=url)
    assert "Kontot är avstängt" in log_in(visitor, POLICE).get_data(as_text=True)

    page = log_rows(admin.get("/admin/logg?handelse=login_failed"))
    assert f"användare #{police.id} {POLICE} adress: 127.0.0.1 orsak: kontot är inaktiverat" in page


def test_a_logout_is_logged_with_who_logged_out(admin, visitor):
    log_in(visitor, COORDINATOR)
    visitor.post("/logga-ut", {}, form_page="/")
    page = log_rows(admin.get("/admin/logg?handelse=logout"))
    assert f"Samordnare Ekbacka {COORDINATOR} utloggning" in page


# --- mail -----------------------------------------------------------------------------------


def test_each_mail_sent_is_logged_with_its_kind_and_message_id_not_its_body(
    admin, db, engine, database_url, tmp_path
):
    port = free_port()
    settings = make_settings(
        database_url, tmp_path, ESTAPP_SMTP_HOST="127.0.0.1", ESTAPP_SMTP_PORT=str(port)
    )
    with committed(db):
        message = queue_message(
            db,
            document_key="protokoll:ekbacka:2026-W47",
            recipient="anna.berg@skola.ekbacka.example",
            subject="Protokoll från EST-mötet vecka 47",
            text="Brödtexten hör inte hemma i loggen.",
            settings=settings,
            municipality=kommun(db),
            now=utcnow(),
        )
    handler = RecordingHandler()
    with smtp_server(handler, port):
        assert send_due(make_session_factory(engine), settings, now=utcnow()).sent == 1

    page = log_rows(admin.get("/admin/logg?handelse=mail_sent"))
    assert f"e-post skickad e-post #{message.id} Ekbacka" in page
    assert "slag av e-post: protokoll från EST-möte" in page
    assert message.message_id.strip("<>") in page.split("Message-ID: ", 1)[1]
    assert "mottagare: anna.berg@skola.ekbacka.example" in page
    assert "Brödtexten" not in page and "Brödtexten" not in all_details(db)


# --- actions and meetings -------------------------------------------------------------------


def test_actions_decided_and_followed_up_are_logged_in_swedish(admin, db, find):
    coordinator = find.user(COORDINATOR)
    today = date(2026, 11, 23)
    with committed(db):
        owner = organisation(db, "Ekbackahem")
        action = create_action(
            db,
            coordinator,
            kommun(db),
            ActionInput(
                "Mer belysning vid garagen",
                owner_organisation_id=owner.id,
                due_on=today + timedelta(days=14),
            ),
            today=today,
            now=utcnow(),
        )
        follow_up_action(
            db, coordinator, action, FollowUpInput(ActionStatus.DONE, "Klart"), now=utcnow()
        )

    page = log_rows(admin.get("/admin/logg?typ=action"))
    assert f"Samordnare Ekbacka {COORDINATOR} åtgärd beslutad åtgärd #{action.id}" in page
    assert "ansvarig aktör: Ekbackahem AB" in page and "klar senast: 2026-12-07" in page
    assert "åtgärd följd upp" in page and "anteckning: Klart" in page


# --- gallring and settings ------------------------------------------------------------------


def test_a_changed_period_and_each_gallring_run_show_in_the_log(admin, db, engine, find):
    ekbacka = find.municipality("Ekbacka")
    response = admin.post(f"/admin/kommuner/{ekbacka.id}/gallring", {"retention_months": "36"})
    assert response.status_code == 302
    db.rollback()
    with committed(db):
        report(
            db,
            kommun(db),
            organisation(db, "Polisen"),
            IsoWeek(2023, 40),
            [("Klotter", "Stora torget", 3), ("Klotter", "Garagen", 1)],
        )
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    run_retention(make_session_factory(engine), now=now, tz=STOCKHOLM)

    changed = log_rows(admin.get("/admin/logg?handelse=retention_changed"))
    assert "Alva Admin admin@estapp.example gallringsfrist ändrad kommun" in changed
    assert "gallringsfrist (månader): 24 → 36" in changed

    purged = log_rows(admin.get(f"/admin/logg?handelse=observations_purged&kommun={ekbacka.id}"))
    assert f"systemet eller okänd händelser gallrade kommun #{ekbacka.id} Ekbacka" in purged
    assert "händelser: 2" in purged and "per händelsetyp: Klotter: 2" in purged
    assert "sparas från vecka: 2023-W47" in purged and "gallringsfrist (månader): 36" in purged


# --- finding everything about one object ----------------------------------------------------


def test_everything_about_one_object_is_one_click_away(admin, visitor, find):
    police = find.user(POLICE)
    log_in(visitor, POLICE, "fel-lösenord-1")
    url = f"/admin/anvandare/{police.id}"
    admin.post(f"{url}/inaktivera", {}, form_page=url)

    html = admin.get("/admin/logg").get_data(as_text=True)
    assert f'href="/admin/logg?typ=user&amp;objekt={police.id}"' in html
    assert f'aria-label="Allt som gäller användare #{police.id}"' in html

    rows = log_rows(admin.get(f"/admin/logg?typ=user&objekt={police.id}"))
    assert "misslyckad inloggning" in rows and "användare inaktiverad" in rows
    assert "inloggning användare" not in rows.replace("misslyckad inloggning användare", "")


@pytest.mark.parametrize("typed", ["abc", "0", "%2312", "99999999999"])
def test_a_bad_object_number_is_explained_at_the_field(admin, typed):
    response = admin.get(f"/admin/logg?objekt={typed}")
    assert response.status_code == 400
    assert field_error(response, "objekt") == "Skriv ett nummer från 1 och uppåt, utan #."


# --- read-only ------------------------------------------------------------------------------


def test_every_admin_route_that_touches_the_log_only_reads(app):
    touching = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin/"):
            continue
        source = inspect.getsource(sys.modules[app.view_functions[rule.endpoint].__module__])
        if "AuditEvent" in source or "audit_events_query" in source:
            touching.append(rule.endpoint)
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule.rule
    assert "admin.audit_log" in touching


def test_the_application_cannot_change_or_delete_an_audit_event(db, demo):
    count = db.scalar(select(func.count()).select_from(AuditEvent))
    event = db.scalars(select(AuditEvent)).first()
    event.action = "user_deleted"
    with pytest.raises(AuditLogIsAppendOnly):
        db.flush()
    db.rollback()
    db.delete(db.scalars(select(AuditEvent)).first())
    with pytest.raises(AuditLogIsAppendOnly):
        db.flush()
    db.rollback()
    for statement in (update(AuditEvent).values(details={}), delete(AuditEvent)):
        with pytest.raises(AuditLogIsAppendOnly):
            db.execute(statement)
        db.rollback()
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == count
