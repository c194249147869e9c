"""What the public follow-up page says of a commitment's progress, in plain Swedish.

Citizens see counts only, and small ones are hidden: a count of 1 up to the suppression threshold
minus one reads "färre än 3" (for threshold 3), as in the lägesbild's shared tables. Each
commitment's figures stand alone: the page shows no sum over commitments, so no hidden count can
be worked out from a total. The share done on time is told only when enough actions are done
for it to say nothing about a single one. No action texts, places, organisations or persons: the
only free text on the page is what the coordinator wrote for citizens (a commitment's note
"Till invånarna").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import LazyString, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from estapp.lagesbild.suppression import is_small
from estapp.promises.progress import Progress, ProgressStatus

# The status as a citizen reads it: a sentence, not a label.
STATUS_SENTENCES: dict[ProgressStatus, LazyString] = {
    ProgressStatus.ON_TRACK: _l("Arbetet går enligt plan."),
    ProgressStatus.BEHIND: _l("Arbetet ligger efter plan."),
    ProgressStatus.INACTIVE: _l("Inget nytt har hänt de senaste åtta veckorna."),
}


@dataclass(frozen=True)
class PublicProgress:
    status: ProgressStatus
    status_sentence: str
    figures: str  # how many actions, how many of them done
    on_time: str  # "" when not told
    latest: str  # "" when nothing has happened


def _count(count: int, threshold: int) -> str:
    return _("färre än %(n)s", n=threshold) if is_small(count, threshold) else str(count)


def _figures(progress: Progress, threshold: int) -> str:
    if progress.total == 0:
        return _("Inga åtgärder är beslutade ännu.")
    if progress.done == 0:
        return _(
            "Beslutade åtgärder: %(total)s. Ingen av dem är genomförd ännu.",
            total=_count(progress.total, threshold),
        )
    return _(
        "Beslutade åtgärder: %(total)s. Genomförda: %(done)s.",
        total=_count(progress.total, threshold),
        done=_count(progress.done, threshold),
    )


def _on_time(progress: Progress, threshold: int) -> str:
    if progress.on_time_percent is None or progress.done < threshold:
        return ""
    return _(
        "Av de genomförda blev %(percent)s procent klara i tid.",
        percent=progress.on_time_percent,
    )


def _latest(day: date | None) -> str:
    if day is None:
        return ""
    return _("Senast hände något i %(month)s.", month=format_date(day, "LLLL yyyy"))


def public_progress(progress: Progress, threshold: int) -> PublicProgress:
    """What the public page tells of one commitment."""
    return PublicProgress(
        status=progress.status,
        status_sentence=str(STATUS_SENTENCES[progress.status]),
        figures=_figures(progress, threshold),
        on_time=_on_time(progress, threshold),
        latest=_latest(progress.latest_activity),
    )
