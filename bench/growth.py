"""How the compile's cost grows with the data: the same compile at 10 k, 100 k and 1.3 M
observations (in the full size), each beside its own floor, and the cost per doubling.

The sizes are kommuner of the same city (100 partners, 50 observations each a week) that have
reported for 2, 20 and 260 weeks: the history grows as it does in a kommun that uses estapp for
years. A cost per doubling of 1.00 means the compile does not get slower as history piles up.
"""

from __future__ import annotations

import itertools
import math

from bench import lagesbild_compile
from bench.dataset import Dataset
from bench.report import Report, count, median

# "Grows slowly": at most a quarter more time per doubling of the data (linear would be 2).
TARGET_PER_DOUBLING = 1.25


def run(dataset: Dataset, report: Report) -> None:
    size = dataset.size
    report.heading(
        f"Tillväxt: samma sammanställning vid olika mängd historik ({dataset.backend.name})"
    )
    slugs = []
    for index, weeks in enumerate(size.growth_weeks):
        if weeks == size.weeks:
            slugs.append(dataset.slug)  # the large city itself
        else:
            slugs.append(dataset.add_kommun(weeks, seed=3000 + index))
    rows = []
    points = []
    for weeks, slug in zip(size.growth_weeks, slugs, strict=True):
        times, floor, observations = lagesbild_compile.measure(dataset, slug, size.runs)
        rows.append((f"{count(observations)} händelser ({weeks} veckor)", times, floor))
        points.append((observations, median(times)))
    report.table(rows)
    print(f"  {'steg':<44}{'× tid':>11}{'× data':>11}{'per fördubbling':>19}")
    for (small_n, small_t), (large_n, large_t) in itertools.pairwise(points):
        doublings = math.log2(large_n / small_n)
        per_doubling = (large_t / small_t) ** (1 / doublings)
        print(
            f"  {count(small_n) + ' → ' + count(large_n):<44}{large_t / small_t:>11.2f}"
            f"{large_n / small_n:>11.1f}{per_doubling:>19.3f}"
        )
    (first_n, first_t), (last_n, last_t) = points[0], points[-1]
    overall = (last_t / first_t) ** (1 / math.log2(last_n / first_n))
    print(
        f"  hela vägen: {overall:.3f} × tiden per fördubbling av data "
        f"(1.000 = oberoende av historiken, 2.000 = linjärt)"
    )
    report.verdict(
        dataset.backend.name,
        "tillväxt",
        f"tid per fördubbling av data ≤ {TARGET_PER_DOUBLING:.2f}",
        f"{overall:.3f} från {count(first_n)} till {count(last_n)} händelser",
        overall <= TARGET_PER_DOUBLING,
    )
