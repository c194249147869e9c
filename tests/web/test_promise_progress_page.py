"""The promise page shows each commitment's progress counted from the EST group's actions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from babel.dates import format_date
from sqlalchemy import event, select

from estapp.models import Action, ActionStatus, ActionUpdate, Organisation
from estapp.promises.progress_queries import progress_by_commitment
from tests.web.reporting_support import STOCKHOLM, VIEWER, local_today
from tests.web.test_promises import commitment_block, promise_of, url_of


def at_noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=STOCKHOLM)


def test_the_page_counts_each_commitments_actions_and_gives_its_status(login, demo, db):
    promise = promise_of(db, "ekbacka")
    first, second, third = promise.commitments[:3]
    police = db.scalar(select(Organisation).where(Organisation.name.startswith("Polisen")))
    today = local_today()

    def action(commitment, text, due, status=ActionStatus.PLANNED, **extra) -> Action:
        row = Action(
            municipality_id=promise.municipality_id,
            text=text,
            owner_organisation=police,
            due_on=due,
            status=status,
            commitment_id=commitment.id,
            created_at=at_noon(today - timedelta(days=30)),
            **extra,
        )
        db.add(row)
        return row

    # One transaction, committed below.
    # First: one done on time, one done late, one open and overdue, one cancelled.
    action(
        first,
        "Kvällsvandring vid Resecentrum",
        today + timedelta(days=2),
        ActionStatus.DONE,
        completed_at=at_noon(today - timedelta(days=1)),
    )
    action(
        first,
        "Klottersanering vid Garagen",
        today - timedelta(days=20),
        ActionStatus.DONE,
        completed_at=at_noon(today - timedelta(days=10)),
    )
    action(first, "Ny belysning i gångtunneln", today - timedelta(days=3))
    action(first, "Inställd vandring", today - timedelta(days=40), ActionStatus.CANCELLED)
    # Second: one open action, followed up five days ago.
    followed = action(second, "Möte med fastighetsägaren", today + timedelta(days=14))
    followed.updates.append(
        ActionUpdate(
            at=at_noon(today - timedelta(days=5)),
            old_status=ActionStatus.PLANNED,
            new_status=ActionStatus.IN_PROGRESS,
            note="Bokat",
        )
    )
    # Third: none.
    db.commit()

    web = login(VIEWER)
    page = web.get(url_of(promise))
    assert page.status_code == 200
    yesterday = format_date(today - timedelta(days=1), "d MMMM yyyy", locale="sv")
    five_days_ago = format_date(today - timedelta(days=5), "d MMMM yyyy", locale="sv")

    assert (
        "Hur det går Status: efter · 2 av 3 åtgärder genomförda · i tid: 50 % "
        f"· senaste aktivitet: {yesterday}"
    ) in commitment_block(page, first.id)
    assert (
        "Hur det går Status: i fas · 0 av 1 åtgärder genomförda · i tid: – "
        f"· senaste aktivitet: {five_days_ago}"
    ) in commitment_block(page, second.id)
    assert (
        "Hur det går Status: ingen aktivitet · 0 av 0 åtgärder genomförda · i tid: – "
        "· senaste aktivitet: –"
    ) in commitment_block(page, third.id)

    shown = page.get_data(as_text=True)
    assert "Så räknas status" in shown and "senaste 8 veckorna" in shown
    for text in ("Kvällsvandring", "Klottersanering", "belysning i gångtunneln", "Bokat"):
        assert text not in shown  # counts only, never what was done or by whom


def test_the_progress_of_all_commitments_is_loaded_in_one_query(demo, db):
    promise = promise_of(db, "ekbacka")
    police = db.scalar(select(Organisation).where(Organisation.name.startswith("Polisen")))
    for commitment in promise.commitments:
        db.add(
            Action(
                municipality_id=promise.municipality_id,
                text="Vandring",
                owner_organisation=police,
                due_on=local_today(),
                commitment_id=commitment.id,
                updates=[ActionUpdate(new_status=ActionStatus.PLANNED)],
            )
        )
    db.commit()
    promise = promise_of(db, "ekbacka")
    assert len(promise.commitments) > 1
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_rest) -> None:
        statements.append(statement)

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        progress = progress_by_commitment(db, promise, STOCKHOLM, local_today())
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert set(progress) == {c.id for c in promise.commitments}
    assert all(p.total == 1 and p.latest_activity == local_today() for p in progress.values())
