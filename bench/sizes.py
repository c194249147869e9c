"""How big the benchmarks' data is: ``BENCH_SIZE=full`` (the default) or ``small``."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    name: str
    partners: int
    weeks: int
    per_week: int  # observations per partner and week
    growth_weeks: tuple[int, ...]  # history lengths of the growth curve; the last is the main set
    runs: int  # timed runs per figure, after one warm-up
    load_seconds: float  # per phase of the load test
    actions: int = 500
    commitments: int = 40

    @property
    def observations(self) -> int:
        return self.partners * self.weeks * self.per_week

    def growth_observations(self, weeks: int) -> int:
        return self.partners * weeks * self.per_week


SIZES = {
    # The large city: 100 partners × 260 weeks × 50 = 1.3 million observations.
    "full": Size("full", 100, 260, 50, (2, 20, 260), runs=30, load_seconds=15),
    # For a quick look while developing: the same shape, a hundredth of the history.
    "small": Size("small", 100, 26, 5, (2, 8, 26), runs=5, load_seconds=3),
}


class UnknownSize(Exception):
    pass


def chosen_size() -> Size:
    name = os.environ.get("BENCH_SIZE", "full").strip().lower() or "full"
    if name not in SIZES:
        raise UnknownSize(f"BENCH_SIZE ska vara {' eller '.join(SIZES)}, inte {name!r}")
    return SIZES[name]
