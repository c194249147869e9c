"""Run every benchmark on SQLite and, when its server answers, PostgreSQL: ``python -m bench``.

Settings (environment): ``BENCH_SIZE`` (``full``, the default, or ``small``), ``BENCH_ONLY``
(a comma-separated choice of compile, growth, meeting, load, pdf), ``BENCH_BACKENDS`` and
``ESTAPP_BENCH_DATABASE_URL`` (see :mod:`bench.databases`).
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

from bench import dataset, growth, lagesbild_compile, lagesbild_pdf, load, meeting_view
from bench.databases import chosen_backends
from bench.report import Report
from bench.sizes import UnknownSize, chosen_size

ON_SHARED_DATA = {
    "compile": lagesbild_compile.run,
    "growth": growth.run,
    "meeting": meeting_view.run,
    "load": load.run,  # last: its requests add observations
}
ALL = (*ON_SHARED_DATA, "pdf")


def _chosen() -> list[str]:
    text = os.environ.get("BENCH_ONLY", "").strip()
    if not text:
        return list(ALL)
    wanted = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in wanted if name not in ALL]
    if unknown:
        raise UnknownSize(
            f"BENCH_ONLY känner inte till {', '.join(unknown)}; välj bland {', '.join(ALL)}"
        )
    return wanted


def _machine() -> str:
    """CPU model, cores and memory, as the README's figures describe the machine."""
    model, memory = platform.processor() or "okänd processor", ""
    if Path("/proc/cpuinfo").exists():
        lines = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
        names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
        model = names[0] if names else model
    if Path("/proc/meminfo").exists():
        total = Path("/proc/meminfo").read_text(encoding="utf-8").split()[1]  # MemTotal, kB
        memory = f", {int(total) / 1024**2:.0f} GB minne"
    return f"{model}, {os.cpu_count()} kärnor{memory}, Python {platform.python_version()}"


def main() -> int:
    try:
        size = chosen_size()
        chosen = _chosen()
    except UnknownSize as error:
        print(f"Fel: {error}", file=sys.stderr)
        return 2
    print(f"estapp benchmarks, storlek {size.name}: {', '.join(chosen)}")
    print(f"Maskin: {_machine()}", flush=True)
    report = Report()
    started = time.perf_counter()
    for backend in chosen_backends():
        shared = [name for name in ON_SHARED_DATA if name in chosen]
        if shared:
            report.heading(f"Data för {backend.name}")
            with backend.fresh("stad") as (url, folder):
                data = dataset.build(backend, size, url, folder)
                for name in shared:
                    ON_SHARED_DATA[name](data, report)
        if "pdf" in chosen:
            lagesbild_pdf.run(backend, size, report)
    report.summary()
    print(f"\nTotal tid: {(time.perf_counter() - started) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
