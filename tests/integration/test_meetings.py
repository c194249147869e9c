"""Meetings and actions against the database: rules, carry-over, the locked protokoll as a PDF
delivered by a real SMTP server on loopback, and action reminders sent exactly once."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from estapp.db import make_session_factory, utcnow
from estapp.distribution.outbox import send_due
from estapp.meetings import actions, agenda, protokoll, reminders, services
from estapp.meetings.rules import ActionInput, FollowUpInput, MeetingRefused
from estapp.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    AuditEvent,
    Commitment,
    CompileReason,
    DistributionRecipient,
    Meeting,
    OutboxMessage,
    Promise,
    User,
)
from estapp.weeks import IsoWeek
from tests.conftest import make_settings
from tests.integration.lagesbild_support import kommun, organisation, place, report
from tests.integration.smtp_server import RecordingHandler, free_port, smtp_server

TZ = ZoneInfo("Europe/Stockholm")
EXTERNAL = "styrgrupp@ekbacka.example"


@pytest.fixture
def port():
    return free_port()


@pytest.fixture
def settings(database_url, tmp_path, clean_db, port):
    return make_settings(
        database_url,
        tmp_path,
        ESTAPP_SMTP_HOST="127.0.0.1",
        ESTAPP_SMTP_PORT=str(port),
        ESTAPP_MAIL_FROM="EST Ekbacka <est@ekbacka.example>",
        ESTAPP_BASE_URL="https://est.ekbacka.example",
    )


@pytest.fixture
def ctx(app, demo):
    """An app context (templates, messages) over the demo data."""
    with app.app_context():
        yield demo


def user(db, email: str) -> User:
    return db.scalar(select(User).where(User.email == email))


def today():
    return utcnow().astimezone(TZ).date()


def this_week() -> IsoWeek:
    return IsoWeek.containing(utcnow(), TZ)


def first_commitment(db, slug: str = "ekbacka") -> Commitment:
    return db.scalar(
        select(Commitment)
        .join(Promise)
        .where(Promise.municipality.has(slug=slug))
        .order_by(Commitment.position)
    )


def start(db, week: IsoWeek | None = None) -> Meeting:
    coordinator = user(db, "samordnare@ekbacka.example")
    meeting = services.create_meeting(
        db, coordinator, kommun(db), week or this_week().shift(-1), held_on=today(), now=utcnow()
    )
    db.flush()
    return meeting


def decide(db, meeting: Meeting | None, **changes) -> Action:
    values = {
        "text": "Klottersanera Stora torget",
        "owner_organisation_id": organisation(db, "Ekbacka kommun, barn").id,
        "due_on": today() + timedelta(days=14),
        "place_id": place(db, kommun(db), "Stora torget").id,
        "commitment_id": first_commitment(db).id,
    }
    values.update(changes)
    return actions.create_action(
        db,
        user(db, "samordnare@ekbacka.example"),
        kommun(db),
        ActionInput(**values),
        meeting=meeting,
        today=today(),
        now=utcnow(),
    )


def pdf_text(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


# --- rules -----------------------------------------------------------------------------------


def test_an_action_with_bad_input_is_refused_with_every_field_and_nothing_is_added(ctx):
    db = ctx
    sjovik = kommun(db, "sjovik")
    with pytest.raises(MeetingRefused) as refused:
        decide(
            db,
            None,
            text="  ",
            owner_organisation_id=organisation(db, "Sjövik kommun").id,
            owner_user_id=user(db, "polis@rapport.example").id,
            due_on=today() - timedelta(days=1),
            place_id=place(db, sjovik, "Hamnen").id,
            commitment_id=first_commitment(db, "sjovik").id,
        )
    errors = {name: str(message) for name, message in refused.value.errors.items()}
    assert set(errors) == {
        "text",
        "owner_organisation_id",
        "owner_user_id",
        "due_on",
        "where",
        "commitment_id",
    }
    assert "deltar inte i EST i Ekbacka" in errors["owner_organisation_id"]
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Action)) == 0


def test_a_due_date_outside_the_promise_period_is_refused(ctx):
    db = ctx
    end = first_commitment(db).promise.period_end
    with pytest.raises(MeetingRefused) as refused:
        decide(db, None, due_on=today().replace(year=end + 1))
    assert refused.value.field == "due_on"
    assert "utanför medborgarlöftets period" in refused.value.message


def test_only_the_owner_and_the_coordinators_follow_up(ctx):
    db = ctx
    action = decide(db, None)
    for email in ("polis@rapport.example", "samordnare@sjovik.example"):
        with pytest.raises(MeetingRefused):
            actions.follow_up_action(
                db, user(db, email), action, FollowUpInput(ActionStatus.CANCELLED), now=utcnow()
            )
    assert action.status is ActionStatus.PLANNED and len(action.updates) == 1
    actions.follow_up_action(
        db,
        user(db, "skola@rapport.example"),
        action,
        FollowUpInput(ActionStatus.DONE, note="Klart."),
        now=utcnow(),
    )
    assert action.status is ActionStatus.DONE and action.completed_at is not None


def test_open_actions_carry_over_to_the_next_meeting_until_done(ctx):
    db = ctx
    first = start(db, this_week().shift(-2))
    kept = decide(db, first, text="Trygghetsvandring i Sjöängen")
    done = decide(db, first, text="Laga belysningen", due_on=today())
    second = start(db, this_week().shift(-1))
    coordinator = user(db, "samordnare@ekbacka.example")
    actions.follow_up_action(
        db, coordinator, done, FollowUpInput(ActionStatus.DONE), meeting=second, now=utcnow()
    )

    shown = agenda.build_agenda(db, kommun(db), second, today=today(), now=utcnow())
    assert [item.action.text for item in shown.later] == ["Trygghetsvandring i Sjöängen"]
    assert shown.due == []
    assert kept.meeting_id == first.id  # still the meeting that decided it
    # The commitment has had activity now, so it is no longer raised as quiet.
    assert first_commitment(db) not in shown.quiet


def test_the_agenda_lists_the_weeks_hot_spots_and_offers_them_as_prompts(ctx):
    from estapp.lagesbild import services as lagesbild

    db = ctx
    week = this_week().shift(-1)
    report(db, kommun(db), organisation(db, "Polisen"), week, [("Klotter", "Stora torget", 7)])
    lagesbild.compile_picture(
        db, kommun(db), week, reason=CompileReason.CLI, actor=None, now=utcnow()
    )
    meeting = start(db, week)

    shown = agenda.build_agenda(db, kommun(db), meeting, today=today(), now=utcnow())
    assert shown.picture is not None
    assert [spot["label"] for spot in shown.hot_spots] == ["Stora torget"]
    assert "Stora torget (Centrum)" in shown.prompts


def test_the_minutes_draft_tells_what_happened(ctx):
    db = ctx
    meeting = start(db)
    services.set_attendance(
        db,
        user(db, "samordnare@ekbacka.example"),
        meeting,
        [organisation(db, "Polisen").id, organisation(db, "Ekbacka kommun, barn").id],
        now=utcnow(),
    )
    decide(db, meeting)
    services.set_focus_places(
        db, None, meeting, [place(db, kommun(db), "Resecentrum").id], now=utcnow()
    )

    draft = agenda.minutes_draft(db, kommun(db), meeting)
    assert "Närvarande: Ekbacka kommun, barn och utbildning, Polisen" in draft
    assert "- Klottersanera Stora torget. Ansvarig: Ekbacka kommun, barn och utbildning." in draft
    assert "Fokusplatser nästa vecka: Resecentrum." in draft


# --- the protokoll ---------------------------------------------------------------------------


@pytest.fixture
def listed(ctx):
    """Ekbacka's list: the viewer (protokoll), the school (lägesbild only), an external address."""
    db = ctx
    ekbacka = kommun(db)
    db.add_all(
        [
            DistributionRecipient(
                municipality_id=ekbacka.id,
                user=user(db, "lasare@ekbacka.example"),
                lagesbild=False,
                protokoll=True,
            ),
            DistributionRecipient(
                municipality_id=ekbacka.id,
                user=user(db, "skola@rapport.example"),
                lagesbild=True,
                protokoll=False,
            ),
            DistributionRecipient(municipality_id=ekbacka.id, email=EXTERNAL, name="Styrgruppen"),
        ]
    )
    db.flush()
    return db


def test_locking_mails_the_protokoll_pdf_to_the_list(listed, settings, engine, port):
    db = listed
    meeting = start(db)
    decide(db, meeting)
    services.save_minutes(
        db, None, meeting, minutes="Gruppen gick igenom klottret.", decisions="", now=utcnow()
    )
    coordinator = user(db, "samordnare@ekbacka.example")
    queued = protokoll.lock_and_send(db, coordinator, kommun(db), meeting, now=utcnow())
    db.commit()
    assert queued == 2

    handler = RecordingHandler()
    with smtp_server(handler, port):
        summary = send_due(make_session_factory(engine), settings, now=utcnow())
    assert summary.sent == 2
    assert sorted(r.recipients[0] for r in handler.received) == [
        "lasare@ekbacka.example",
        EXTERNAL,
    ]
    message = handler.received[0].message
    assert message["Subject"].startswith("Protokoll från EST-mötet i Ekbacka")
    assert "https://est.ekbacka.example/mote/ekbacka/" in message.get_body(("plain",)).get_content()
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == f"protokoll-ekbacka-{this_week().shift(-1)}.pdf"
    text = pdf_text(attachment.get_content())
    assert "Protokoll, EST-möte" in text
    assert "Gruppen gick igenom klottret." in text
    assert "Klottersanera Stora torget" in text
    assert "Låst" in text and "Samordnare Ekbacka" in text


def test_locked_minutes_cannot_be_edited_or_locked_again(listed):
    db = listed
    meeting = start(db)
    protokoll.lock_and_send(db, None, kommun(db), meeting, now=utcnow())
    minutes = meeting.minutes
    assert "Protokoll, EST-möte Ekbacka" in minutes  # the draft, as nothing was written

    with pytest.raises(MeetingRefused, match="låst"):
        services.save_minutes(db, None, meeting, minutes="Ändrat", decisions="", now=utcnow())
    with pytest.raises(MeetingRefused, match="låst"):
        protokoll.lock_and_send(db, None, kommun(db), meeting, now=utcnow())
    with pytest.raises(MeetingRefused, match="låst"):
        decide(db, meeting)
    assert meeting.minutes == minutes
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 2
    assert "meeting_locked" in db.scalars(select(AuditEvent.action)).all()


# --- reminders -------------------------------------------------------------------------------


def test_the_owner_is_reminded_once_when_due_soon_and_once_when_overdue(ctx, settings, engine):
    db = ctx
    person = user(db, "skola@rapport.example")
    decide(db, None, due_on=today() + timedelta(days=2), owner_user_id=person.id)
    decide(db, None, text="Städa Stadsparken", due_on=today() + timedelta(days=20))
    db.commit()
    sessions = make_session_factory(engine)

    first = reminders.send_action_reminders(sessions, settings, now=utcnow())
    again = reminders.send_action_reminders(sessions, settings, now=utcnow())
    overdue = reminders.send_action_reminders(sessions, settings, now=utcnow() + timedelta(days=3))
    overdue_again = reminders.send_action_reminders(
        sessions, settings, now=utcnow() + timedelta(days=4)
    )

    assert (first.mails, again.mails, overdue.mails, overdue_again.mails) == (1, 0, 1, 0)
    db.rollback()
    mails = db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.recipient for m in mails] == ["skola@rapport.example"] * 2
    assert mails[0].subject.startswith("Åtgärd att slutföra i EST Ekbacka")
    assert mails[1].subject.startswith("Försenad åtgärd i EST Ekbacka")
    assert "Klottersanera Stora torget" in mails[1].body_text
    assert "https://est.ekbacka.example/mina-atgarder" in mails[1].body_html


def test_without_an_owner_person_the_organisations_reporters_are_reminded(ctx, settings, engine):
    db = ctx
    action = decide(db, None, owner_organisation_id=organisation(db, "Polisen").id, due_on=today())
    actions.follow_up_action(
        db,
        user(db, "polis@rapport.example"),
        action,
        FollowUpInput(ActionStatus.IN_PROGRESS, note="På gång"),
        now=utcnow(),
    )
    done = decide(db, None, text="Redan klar", due_on=today())
    actions.follow_up_action(
        db, user(db, "skola@rapport.example"), done, FollowUpInput(ActionStatus.DONE), now=utcnow()
    )
    db.commit()

    summary = reminders.send_action_reminders(make_session_factory(engine), settings, now=utcnow())

    assert summary.reminders == 1
    db.rollback()
    assert db.scalars(select(OutboxMessage.recipient)).all() == ["polis@rapport.example"]
    assert db.scalar(select(func.count()).select_from(ActionUpdate)) == 4
