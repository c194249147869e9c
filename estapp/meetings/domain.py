"""Pure rules of the EST meeting: when an action is due, which commitments have gone quiet,
and the first draft of the minutes. No Flask, no ORM, no I/O.

The minutes are a Swedish document read by the whole EST group, so their draft is Swedish
whatever language the coordinator uses.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

STALE_AFTER = timedelta(weeks=8)  # a commitment without action activity this long is raised
DUE_SOON_DAYS = 3  # an action's owner is reminded this many days before its due date

# The status codes of estapp.models.ActionStatus, as the minutes and the PDF write them.
STATUS_NAMES = {
    "planerad": "planerad",
    "pagaende": "pågående",
    "genomford": "genomförd",
    "installd": "inställd",
}
SWEDISH_MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


class DueState(enum.StrEnum):
    OVERDUE = "overdue"  # the due date has passed
    DUE = "due"  # due by the meeting day (or today)
    LATER = "later"


def due_state(due_on: date, *, today: date, by: date | None = None) -> DueState:
    """Where an open action stands: overdue before ``today``, due by ``by`` (default today)."""
    if due_on < today:
        return DueState.OVERDUE
    if due_on <= (by or today):
        return DueState.DUE
    return DueState.LATER


def due_soon(due_on: date, *, today: date) -> bool:
    """Within the reminder window: due today or within DUE_SOON_DAYS days, not yet overdue."""
    return today <= due_on <= today + timedelta(days=DUE_SOON_DAYS)


def quiet_commitments(
    commitment_ids: Iterable[int], last_activity: Mapping[int, datetime], *, now: datetime
) -> list[int]:
    """The commitments with no action created or followed up within STALE_AFTER, in order."""
    since = now - STALE_AFTER
    return [
        commitment_id
        for commitment_id in commitment_ids
        if (last := last_activity.get(commitment_id)) is None or last < since
    ]


def swedish_day(day: date) -> str:
    """'24 november 2026'"""
    return f"{day.day} {SWEDISH_MONTHS[day.month - 1]} {day.year}"


# --- the minutes' draft ----------------------------------------------------------------------


@dataclass(frozen=True)
class FollowedUp:
    text: str
    owner: str
    old_status: str | None
    new_status: str
    note: str = ""
    outcome: str = ""


@dataclass(frozen=True)
class Decided:
    text: str
    owner: str
    due_on: date
    person: str = ""
    where: str = ""
    commitment: str = ""
    prompted_by: str = ""


@dataclass(frozen=True)
class MinutesInput:
    kommun: str
    week_label: str  # 'vecka 47, 2026'
    held_on: date
    attendees: Sequence[str] = ()
    followed_up: Sequence[FollowedUp] = ()
    decided: Sequence[Decided] = ()
    focus_places: Sequence[str] = ()
    open_left: int = 0  # open actions that carry over to the next meeting


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?…" else text + "."


def _followed_line(item: FollowedUp) -> str:
    new = STATUS_NAMES.get(item.new_status, item.new_status)
    if item.old_status and item.old_status != item.new_status:
        status = f"{STATUS_NAMES.get(item.old_status, item.old_status)} → {new}"
    else:
        status = new
    line = f"- {_sentence(_short(item.text))} Ansvarig: {item.owner}. Status: {status}."
    if item.note:
        line += f" {_sentence(item.note)}"
    if item.outcome:
        line += f" Resultat: {_sentence(item.outcome)}"
    return line


def _decided_line(item: Decided) -> str:
    owner = f"{item.owner} ({item.person})" if item.person else item.owner
    due = swedish_day(item.due_on)
    line = f"- {_sentence(_short(item.text))} Ansvarig: {owner}. Klart senast {due}."
    if item.where:
        line += f" Plats: {item.where}."
    if item.commitment:
        line += f" Åtagande: {_sentence(_short(item.commitment, 70))}"
    if item.prompted_by:
        line += f" Utgår från: {item.prompted_by}."
    return line


def draft_minutes(data: MinutesInput) -> str:
    """The minutes as plain text from what happened in the meeting; the coordinator edits it."""
    lines = [
        f"Protokoll, EST-möte {data.kommun}",
        f"Datum: {swedish_day(data.held_on)}. Lägesbild för {data.week_label}.",
        "",
        "Närvarande: "
        + (", ".join(data.attendees) + "." if data.attendees else "ingen antecknad."),
        "",
        "Uppföljning av åtgärder",
    ]
    lines += [_followed_line(item) for item in data.followed_up] or ["- Inga åtgärder följdes upp."]
    lines += ["", "Nya åtgärder"]
    lines += [_decided_line(item) for item in data.decided] or ["- Inga nya åtgärder."]
    lines += [
        "",
        "Fokusplatser nästa vecka: "
        + (", ".join(data.focus_places) + "." if data.focus_places else "inga beslutade."),
    ]
    if data.open_left:
        lines.append(
            f"Öppna åtgärder som följs upp vid nästa möte: {data.open_left}."
            if data.open_left != 1
            else "En öppen åtgärd följs upp vid nästa möte."
        )
    return "\n".join(lines)
