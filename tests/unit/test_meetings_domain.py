"""The meeting's pure rules: when an action is due, quiet commitments, the minutes' draft."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from estapp.meetings.domain import (
    Decided,
    DueState,
    FollowedUp,
    MinutesInput,
    draft_minutes,
    due_soon,
    due_state,
    quiet_commitments,
)

MONDAY = date(2026, 11, 23)


def test_an_action_is_overdue_after_its_day_and_due_up_to_the_meeting_day():
    assert due_state(MONDAY - timedelta(days=1), today=MONDAY) is DueState.OVERDUE
    assert due_state(MONDAY, today=MONDAY) is DueState.DUE
    assert due_state(MONDAY + timedelta(days=2), today=MONDAY) is DueState.LATER
    meeting_day = MONDAY + timedelta(days=2)
    assert due_state(MONDAY + timedelta(days=2), today=MONDAY, by=meeting_day) is DueState.DUE


def test_due_soon_means_today_to_three_days_ahead():
    assert due_soon(MONDAY, today=MONDAY)
    assert due_soon(MONDAY + timedelta(days=3), today=MONDAY)
    assert not due_soon(MONDAY + timedelta(days=4), today=MONDAY)
    assert not due_soon(MONDAY - timedelta(days=1), today=MONDAY)


def test_commitments_without_action_activity_for_eight_weeks_are_quiet():
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    activity = {1: now - timedelta(weeks=2), 2: now - timedelta(weeks=9)}
    assert quiet_commitments([3, 1, 2], activity, now=now) == [3, 2]


def test_the_draft_lists_attendance_follow_ups_new_actions_and_focus_places():
    draft = draft_minutes(
        MinutesInput(
            kommun="Ekbacka",
            week_label="vecka 47, 2026",
            held_on=MONDAY,
            attendees=["Polisen", "Skolan"],
            followed_up=[
                FollowedUp("Laga lampan", "Skolan", "planerad", "genomford", "Klart", "Ljust")
            ],
            decided=[
                Decided(
                    "Trygghetsvandring",
                    "Polisen",
                    date(2026, 12, 4),
                    person="Maria Lind",
                    where="Resecentrum",
                    commitment="Vi ska vandra",
                    prompted_by="Klotter",
                )
            ],
            focus_places=["Resecentrum"],
            open_left=3,
        )
    )
    assert draft.splitlines() == [
        "Protokoll, EST-möte Ekbacka",
        "Datum: 23 november 2026. Lägesbild för vecka 47, 2026.",
        "",
        "Närvarande: Polisen, Skolan.",
        "",
        "Uppföljning av åtgärder",
        "- Laga lampan. Ansvarig: Skolan. Status: planerad → genomförd. Klart. Resultat: Ljust.",
        "",
        "Nya åtgärder",
        "- Trygghetsvandring. Ansvarig: Polisen (Maria Lind). Klart senast 4 december 2026."
        " Plats: Resecentrum. Åtagande: Vi ska vandra. Utgår från: Klotter.",
        "",
        "Fokusplatser nästa vecka: Resecentrum.",
        "Öppna åtgärder som följs upp vid nästa möte: 3.",
    ]


def test_an_empty_meeting_still_gives_a_readable_draft():
    draft = draft_minutes(MinutesInput("Sjövik", "vecka 1, 2027", date(2027, 1, 5)))
    assert "Närvarande: ingen antecknad." in draft
    assert "- Inga åtgärder följdes upp." in draft and "- Inga nya åtgärder." in draft
    assert "Fokusplatser nästa vecka: inga beslutade." in draft
