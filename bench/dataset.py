"""The benchmarks' data: settings for a throwaway database, and the synthetic large city
(``estapp seed synthetic`` at the chosen size) that most benchmarks share."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.databases import Backend
from bench.report import count
from bench.sizes import Size

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
PASSWORD = "bench-lösenord-2026"


def bench_environ(url: str, folder: Path | str) -> dict[str, str]:
    """The ESTAPP_* settings of a benchmark process (also handed to gunicorn)."""
    return {
        "ESTAPP_ENV": "test",
        "ESTAPP_DATABASE_URL": url,
        "ESTAPP_SECRET_KEY": SECRET,
        "ESTAPP_INSTANCE_DIR": str(folder),
        "ESTAPP_DEMO_PASSWORD": PASSWORD,
    }


def bench_settings(url: str, folder: Path | str):
    from estapp.config import load_settings

    return load_settings(bench_environ(url, folder))


@dataclass
class Dataset:
    """One throwaway database with the synthetic city in it."""

    backend: Backend
    size: Size
    url: str
    folder: Path
    slug: str  # the large kommun
    coordinator: str  # its coordinator's e-mail
    reporters: tuple[str, ...]

    @property
    def settings(self):
        return bench_settings(self.url, self.folder)

    def session(self) -> Session:
        from estapp.db import make_engine, make_session_factory

        return make_session_factory(make_engine(self.url))()

    def add_kommun(self, weeks: int, *, seed: int) -> str:
        """Another synthetic kommun with this much history; returns its slug."""
        from estapp.db import utcnow
        from estapp.seed.synthetic import SyntheticOptions, seed_synthetic

        options = SyntheticOptions(1, self.size.partners, weeks, self.size.per_week, seed)
        session = self.session()
        try:
            (kommun,) = seed_synthetic(
                session, self.settings, options, now=utcnow(), allow_existing=True
            )
        finally:
            session.close()
            session.get_bind().dispose()
        return kommun.slug


def build(backend: Backend, size: Size, url: str, folder: Path) -> Dataset:
    """Migrate the empty database and seed the large city into it."""
    from estapp.db import utcnow
    from estapp.migrate import upgrade
    from estapp.seed.synthetic import SyntheticOptions, seed_synthetic

    upgrade(url)
    settings = bench_settings(url, folder)
    options = SyntheticOptions(1, size.partners, size.weeks, size.per_week, seed=2026)
    print(
        f"  syntetisk stad: {size.partners} aktörer × {size.weeks} veckor × {size.per_week} "
        f"= {count(options.observations)} händelser ({backend.name})",
        flush=True,
    )
    started = time.perf_counter()
    dataset = Dataset(backend, size, url, folder, "", "", ())
    session = dataset.session()
    try:
        (kommun,) = seed_synthetic(session, settings, options, now=utcnow())
    finally:
        session.close()
        session.get_bind().dispose()
    elapsed = time.perf_counter() - started
    print(f"  inläst på {elapsed:.0f} s ({count(kommun.observations / elapsed)} per sekund)")
    dataset.slug = kommun.slug
    dataset.coordinator = kommun.coordinator_email
    dataset.reporters = kommun.reporter_emails
    return dataset


def municipality_of(session: Session, slug: str):
    from estapp.models import Municipality

    return session.scalar(select(Municipality).where(Municipality.slug == slug))
