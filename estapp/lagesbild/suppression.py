"""Hide small counts in tables shared beyond the coordinators. Pure; no Flask, no ORM.

The rule, applied to one group (a row or column of cells plus the total shown with it):

1. Primary suppression: a count of 1 up to threshold − 1 is shown as "<3" (for threshold 3).
   Zero is shown as "0": it tells that nothing was reported, which identifies no one, and with
   zeros visible "<3" always means 1 or 2.
2. Complementary (secondary) suppression: a reader who knows the total, the visible cells and
   the rule can bound every hidden cell — a "<3" cell is 1..2, a ".." cell is at least the
   threshold and at most the smallest visible non-zero cell (it was chosen as the smallest). If
   those bounds and the total leave any "<3" cell with a single possible value, the next
   smallest visible non-zero cell (ties by label) is hidden as "..", and the check repeats. This
   covers the classic case of exactly one hidden cell (total minus the visible cells gives it
   away) and also e.g. two cells hidden where both are 1, or a "<3" cell of 1 next to a ".."
   cell of exactly 3.
3. When no visible non-zero cell is left to hide, the total itself is hidden as "..".

A total below the threshold is itself shown as "<3" and counts as a bound, not a value. A total
larger than the sum of the cells (e.g. events without an area) is allowed; the difference is
treated as known to the reader. Each table is protected on its own: do not publish the same
cells elsewhere with a different set of hidden cells or a finer total.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass

SECONDARY_MARK = ".."


class Suppression(enum.StrEnum):
    NONE = "none"
    PRIMARY = "primary"
    SECONDARY = "secondary"


@dataclass(frozen=True)
class DisplayCell:
    label: str
    text: str
    suppression: Suppression


@dataclass(frozen=True)
class SuppressedTable:
    """Display strings only, so a template cannot show a hidden count by mistake."""

    cells: tuple[DisplayCell, ...]
    total: str
    total_suppression: Suppression

    def as_dict(self) -> dict[str, str]:
        """Return label → display text, in the input order."""
        return {cell.label: cell.text for cell in self.cells}


def _is_protected(
    counts: Mapping[str, int],
    primary: set[str],
    secondary: set[str],
    total: int,
    total_suppression: Suppression,
    threshold: int,
) -> bool:
    """Return whether no primary cell can be pinned to one value from what the table shows."""
    if not primary or total_suppression is Suppression.SECONDARY:
        return True
    hidden = primary | secondary
    visible = [count for label, count in counts.items() if label not in hidden]
    # Everything not hidden is known, including a total's part that no cell lists.
    known = sum(visible) + (total - sum(counts.values()))
    if total_suppression is Suppression.PRIMARY:
        hidden_low, hidden_high = 1 - known, threshold - 1 - known
    else:
        hidden_low = hidden_high = total - known
    secondary_high = min((count for count in visible if count > 0), default=math.inf)
    bounds = [(1, threshold - 1)] * len(primary) + [(threshold, secondary_high)] * len(secondary)
    sum_low = sum(low for low, _ in bounds)
    sum_high = sum(high for _, high in bounds)
    # One linear equation with box bounds: a cell's feasible range is its box narrowed by what
    # the other cells can at most and at least add up to. Primary boxes are all alike.
    low, high = 1, threshold - 1
    narrowed_low = max(low, hidden_low - (sum_high - high))
    narrowed_high = min(high, hidden_high - (sum_low - low))
    return narrowed_low < narrowed_high


def is_small(count: int, threshold: int) -> bool:
    """A count that is shown as "<threshold": 1 up to threshold − 1 (zero is shown)."""
    return 0 < count < threshold


def suppress_table(
    counts: Mapping[str, int], total: int | None = None, *, threshold: int = 3
) -> SuppressedTable:
    """Return display strings for a table of counts with small and recoverable cells hidden."""
    if threshold < 3:
        raise ValueError("threshold must be at least 3: with zeros shown, '<2' means exactly 1")
    for label, count in counts.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"count for {label!r} must be a non-negative integer, got {count!r}")
    listed = sum(counts.values())
    total = listed if total is None else total
    if total < listed:
        raise ValueError(f"total {total} is smaller than the sum of the cells ({listed})")

    primary = {label for label, count in counts.items() if is_small(count, threshold)}
    secondary: set[str] = set()
    total_suppression = Suppression.PRIMARY if is_small(total, threshold) else Suppression.NONE
    while not _is_protected(counts, primary, secondary, total, total_suppression, threshold):
        candidates = sorted(
            (count, label)
            for label, count in counts.items()
            if count > 0 and label not in primary and label not in secondary
        )
        if not candidates:
            total_suppression = Suppression.SECONDARY
            break
        secondary.add(candidates[0][1])

    small = f"<{threshold}"

    def shown(count: int, suppression: Suppression) -> str:
        return {Suppression.PRIMARY: small, Suppression.SECONDARY: SECONDARY_MARK}.get(
            suppression, str(count)
        )

    cells = []
    for label, count in counts.items():
        if label in primary:
            suppression = Suppression.PRIMARY
        elif label in secondary:
            suppression = Suppression.SECONDARY
        else:
            suppression = Suppression.NONE
        cells.append(DisplayCell(label, shown(count, suppression), suppression))
    return SuppressedTable(tuple(cells), shown(total, total_suppression), total_suppression)
