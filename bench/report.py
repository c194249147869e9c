"""Timing, and printing figures beside their floor: median, p95, the floor's median, the ratio,
and each target with PASS or FAIL. Every verdict is also kept for the summary at the end."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def timed(work: Callable[[], object], runs: int, *, warmup: int = 1) -> list[float]:
    """Seconds per run of ``work``, after ``warmup`` runs that are not counted."""
    times = []
    for index in range(warmup + runs):
        started = time.perf_counter()
        work()
        elapsed = time.perf_counter() - started
        if index >= warmup:
            times.append(elapsed)
    return times


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p95(values: list[float]) -> float:
    """The 95th percentile, nearest rank (the largest value for fewer than 20 runs)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, -(-95 * len(ordered) // 100) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def count(number: float) -> str:
    return f"{round(number):,}".replace(",", " ")


@dataclass(frozen=True)
class Verdict:
    backend: str
    benchmark: str
    target: str
    measured: str
    passed: bool
    applies: bool = True  # False: shown for comparison, the target is set for another database


@dataclass
class Report:
    """What one run of ``python -m bench`` has found so far."""

    verdicts: list[Verdict] = field(default_factory=list)

    def heading(self, text: str) -> None:
        print(f"\n== {text} ==", flush=True)

    def table(self, rows: list[tuple[str, list[float], list[float] | None]]) -> None:
        """One line per case: its median and p95, and its median against the floor's."""
        print(f"  {'fall':<44}{'median':>11}{'p95':>11}{'golv':>11}{'× golv':>8}")
        for label, times, floor in rows:
            line = f"  {label:<44}{ms(median(times)):>11}{ms(p95(times)):>11}"
            if floor:
                line += f"{ms(median(floor)):>11}{median(times) / median(floor):>8.2f}"
            print(line, flush=True)

    def verdict(
        self,
        backend: str,
        benchmark: str,
        target: str,
        measured: str,
        passed: bool,
        *,
        applies: bool = True,
    ) -> None:
        outcome = "PASS" if passed else "FAIL"
        note = "" if applies else " (målet gäller PostgreSQL; visas för jämförelse)"
        print(f"  mål: {target} → {outcome} ({measured}){note}", flush=True)
        self.verdicts.append(Verdict(backend, benchmark, target, measured, passed, applies))

    def summary(self) -> None:
        print("\n== Sammanfattning av målen ==")
        for v in self.verdicts:
            outcome = ("PASS" if v.passed else "FAIL") + ("" if v.applies else " (jämförelse)")
            print(f"  {v.backend:<11}{v.benchmark:<30}{outcome:<18}{v.target} ({v.measured})")
