"""Synthetic data at scale (``estapp seed synthetic``): large kommuner with years of reports.

Each kommun gets areas with places and polygons, partners with one reporter each, a coordinator,
and for every week up to last week a report per partner (now and then missing, late or "inget
att rapportera") with the week's observations spread over places, categories, days and times of
day (see :mod:`estapp.seed.synthetic_weeks`). The small things go through the admin services;
reports and observations are written in bulk (COPY on PostgreSQL, batched executemany
elsewhere), a quarter of a year at a time, so 1.3 million observations load in minutes.
Finally the planner statistics are refreshed and last week's lägesbild is compiled.
"""

from __future__ import annotations

import math
import random
import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from itertools import accumulate

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from estapp.admin import services
from estapp.auth.passwords import hash_password
from estapp.config import Settings
from estapp.labels import kind_label
from estapp.lagesbild.services import compile_picture
from estapp.models import (
    Category,
    CompileReason,
    Municipality,
    Observation,
    OrganisationKind,
    Role,
    WeeklyReport,
)
from estapp.retention.periods import DEFAULT_MONTHS, MAX_MONTHS
from estapp.seed.bulk import insert_rows, refresh_statistics
from estapp.seed.demo import _square as area_polygon
from estapp.seed.synthetic_weeks import (
    OBSERVATION_COLUMNS,
    REPORT_COLUMNS,
    KommunLayout,
    activity_weights,
    observation_rows,
    place_weights,
    plan_week,
    report_rows,
)
from estapp.weeks import IsoWeek

SLUG_PREFIX = "syntetstad-"
WEEKS_PER_CHUNK = 13
MAX_OBSERVATIONS = 50_000_000
# A partner mix like a large city's EST group: many schools and housing companies, one police.
PARTNER_KINDS = (
    *[OrganisationKind.SKOLA] * 6,
    *[OrganisationKind.BOSTADSBOLAG] * 3,
    *[OrganisationKind.NARINGSLIV] * 2,
    *[OrganisationKind.FRITID] * 2,
    OrganisationKind.SOCIALTJANST,
    OrganisationKind.BEVAKNING,
    OrganisationKind.KOLLEKTIVTRAFIK,
    OrganisationKind.OVRIG,
    OrganisationKind.OVRIG,
)
AREA_PREFIXES = ("Norr", "Söder", "Väster", "Öster", "Ny", "Gamla ", "Stor", "Lill", "Över")
AREA_STEMS = ("backa", "åsen", "dalen", "hagen", "viken", "berga", "lunda", "torp", "holmen")
PLACE_KINDS = (
    "Torget",
    "Skolan",
    "Fritidsgården",
    "Busshållplatsen",
    "Idrottsplatsen",
    "Lekplatsen",
    "Gångtunneln",
    "Parkeringshuset",
    "Centrumhuset",
    "Biblioteket",
    "Tvättstugan",
    "Återvinningsstationen",
)


class SyntheticRefused(Exception):
    """The options or the database do not allow a run; the message says why, in Swedish."""


@dataclass(frozen=True)
class SyntheticOptions:
    kommuner: int = 1
    partners: int = 100  # per kommun
    weeks: int = 260  # ending with last week
    per_week: int = 50  # observations per partner and week, on average
    seed: int = 2026

    @property
    def observations(self) -> int:
        return self.kommuner * self.partners * self.weeks * self.per_week


# Option name on the command line -> (field, smallest, largest).
LIMITS = {
    "--kommuner": ("kommuner", 1, 50),
    "--partners": ("partners", 1, 500),
    "--weeks": ("weeks", 1, 1040),
    "--per-week": ("per_week", 0, 1000),
    "--seed": ("seed", 0, 2**31 - 1),
}


def options_from_text(texts: dict[str, str]) -> SyntheticOptions:
    """Read the command line's options (keyed by their names, e.g. ``--weeks``)."""
    values: dict[str, int] = {}
    for option, text in texts.items():
        name, low, high = LIMITS[option]
        cleaned = text.strip().replace("_", "")
        if not cleaned.isdigit() or not low <= int(cleaned) <= high:
            raise SyntheticRefused(
                f"{option} ska vara ett heltal från {low} till {high}, inte {text!r}"
            )
        values[name] = int(cleaned)
    options = SyntheticOptions(**values)
    if options.observations > MAX_OBSERVATIONS:
        raise SyntheticRefused(
            f"det blir {options.observations:,} händelser; högst {MAX_OBSERVATIONS:,} "
            "går att skapa i en körning".replace(",", " ")
        )
    return options


def describe(options: SyntheticOptions) -> str:
    return (
        f"Skapar {_kommuner(options.kommuner)} med {options.partners} aktörer, "
        f"{options.weeks} veckor och {options.per_week} händelser per aktör och vecka: "
        f"{_count(options.observations)} händelser (frö {options.seed})"
    )


@dataclass(frozen=True)
class SyntheticKommun:
    slug: str
    name: str
    observations: int
    coordinator_email: str
    reporter_emails: tuple[str, ...]


def _free_numbers(session: Session, count: int) -> list[int]:
    taken = set(
        session.scalars(select(Municipality.slug).where(Municipality.slug.like(f"{SLUG_PREFIX}%")))
    )
    numbers, candidate = [], 1
    while len(numbers) < count:
        if f"{SLUG_PREFIX}{candidate}" not in taken:
            numbers.append(candidate)
        candidate += 1
    return numbers


def _partner_kind(index: int) -> OrganisationKind:
    """The police first, then the rescue service, then the mix of PARTNER_KINDS over again."""
    if index < 2:
        return (OrganisationKind.POLIS, OrganisationKind.RADDNINGSTJANST)[index]
    return PARTNER_KINDS[(index - 2) % len(PARTNER_KINDS)]


def _area_names(count: int) -> list[str]:
    names = [f"{prefix}{stem}" for stem in AREA_STEMS for prefix in AREA_PREFIXES]
    return [names[(index * 7) % len(names)] for index in range(count)]


def _create_geography(
    session: Session, municipality: Municipality, areas: int, rng: random.Random, now: datetime
) -> list[tuple[int, int]]:
    """Areas on a grid with polygons, 3–7 places each; return (place id, area id) pairs."""
    places = []
    for index, name in enumerate(_area_names(areas)):
        lon, lat = 16.0 + (index % 6) * 0.025, 59.6 + (index // 6) * 0.015
        area = services.create_area(
            session, None, municipality, name, geojson=area_polygon(lon, lat, 0.012), now=now
        )
        for kind in rng.sample(PLACE_KINDS, rng.randint(3, 7)):
            place = services.create_place(
                session,
                None,
                area,
                f"{kind} {name}",
                latitude=round(lat + rng.uniform(-0.005, 0.005), 5),
                longitude=round(lon + rng.uniform(-0.01, 0.01), 5),
                now=now,
            )
            places.append((place.id, area.id))
    return places


def _create_kommun(
    session: Session,
    number: int,
    options: SyntheticOptions,
    *,
    password_hash: str,
    rng: random.Random,
    now: datetime,
) -> tuple[KommunLayout, SyntheticKommun]:
    name, slug = f"Syntetstad {number}", f"{SLUG_PREFIX}{number}"
    municipality = services.create_municipality(session, None, name, slug, now=now)
    # Keep the whole history (up to the longest period allowed), so the retention job does
    # not delete the years the benchmarks are about.
    needed = math.ceil(options.weeks * 12 / 52) + 1
    municipality.retention_months = max(DEFAULT_MONTHS, min(MAX_MONTHS, needed))
    places = _create_geography(
        session, municipality, min(30, max(4, options.partners // 3)), rng, now
    )
    partner_ids, reporter_of, emails = [], {}, []
    for index in range(options.partners):
        kind = _partner_kind(index)
        organisation = services.create_organisation(
            session,
            None,
            f"{kind_label(kind).capitalize()} {index + 1}, {name}",
            kind,
            [municipality],
            now=now,
        )
        email = f"rapportor-{index + 1:03d}@{slug}.example"
        reporter = services.create_user(
            session,
            None,
            email=email,
            name=f"Rapportör {index + 1} {name}",
            role=Role.REPORTER,
            organisation=organisation,
            password_hash=password_hash,
            now=now,
        )
        partner_ids.append(organisation.id)
        reporter_of[organisation.id] = reporter.id
        emails.append(email)
    coordinator = f"samordnare@{slug}.example"
    services.create_user(
        session,
        None,
        email=coordinator,
        name=f"Samordnare {name}",
        role=Role.COORDINATOR,
        municipalities=[municipality],
        password_hash=password_hash,
        now=now,
    )
    categories = session.execute(
        select(Category.id, Category.name)
        .where(Category.municipality_id == municipality.id)
        .order_by(Category.position)
    ).all()
    layout = KommunLayout(municipality.id, partner_ids, reporter_of, places, categories)
    return layout, SyntheticKommun(slug, name, 0, coordinator, tuple(emails))


def _report_ids(
    session: Session, municipality_id: int, first: IsoWeek, last: IsoWeek
) -> dict[date, dict[int, int]]:
    """The ids of the weeks' reports: week start -> organisation id -> report id."""
    rows = session.execute(
        select(WeeklyReport.week_start, WeeklyReport.organisation_id, WeeklyReport.id).where(
            WeeklyReport.municipality_id == municipality_id,
            WeeklyReport.week_start.between(first.monday, last.monday),
        )
    )
    ids: dict[date, dict[int, int]] = {}
    for week_start, organisation_id, report_id in rows:
        ids.setdefault(week_start, {})[organisation_id] = report_id
    return ids


def _write_weeks(
    session: Session,
    layout: KommunLayout,
    options: SyntheticOptions,
    weeks: list[IsoWeek],
    rng: random.Random,
    progress: Callable[[str], None],
    label: str,
) -> int:
    """Write the reports and observations of the weeks, a quarter at a time; return the count."""
    activity = activity_weights(rng, len(layout.partner_ids))
    places = list(accumulate(place_weights(rng, len(layout.places))))
    connection = session.connection()
    written, started = 0, clock.perf_counter()
    for start in range(0, len(weeks), WEEKS_PER_CHUNK):
        chunk = weeks[start : start + WEEKS_PER_CHUNK]
        plans = [plan_week(rng, layout, week, options.per_week, activity) for week in chunk]
        reports = (row for plan in plans for row in report_rows(layout, plan))
        insert_rows(connection, WeeklyReport.__table__, REPORT_COLUMNS, reports)
        ids = _report_ids(session, layout.municipality_id, chunk[0], chunk[-1])
        rows = (
            row
            for plan in plans
            for row in observation_rows(rng, layout, plan, ids[plan.week.monday], places)
        )
        written += insert_rows(connection, Observation.__table__, OBSERVATION_COLUMNS, rows)
        rate = written / max(clock.perf_counter() - started, 1e-9)
        done = start + len(chunk)
        progress(
            f"  {label}: {done}/{len(weeks)} veckor, {_count(written)} händelser "
            f"({_count(round(rate))} per sekund)"
        )
    return written


def _kommuner(number: int) -> str:
    return f"{number} kommun" if number == 1 else f"{number} kommuner"


def _count(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def seed_synthetic(
    session: Session,
    settings: Settings,
    options: SyntheticOptions,
    *,
    now: datetime,
    allow_existing: bool = False,
    progress: Callable[[str], None] = lambda text: None,
) -> list[SyntheticKommun]:
    """Create the synthetic kommuner, one transaction each; ``session`` must not be in one.

    Refused in production, and on a database that already has kommuner unless
    ``allow_existing``.
    """
    if settings.is_production:
        raise SyntheticRefused("syntetiska data skapas aldrig i produktion (ESTAPP_ENV=production)")
    existing = session.scalar(select(func.count(Municipality.id))) or 0
    numbers = _free_numbers(session, options.kommuner)
    session.rollback()
    if existing and not allow_existing:
        raise SyntheticRefused(
            f"databasen har redan data ({_kommuner(existing)}); ange --allow-existing "
            "för att lägga till syntetiska kommuner ändå"
        )
    last = IsoWeek.containing(now, settings.tz).shift(-1)
    weeks = [*last.previous(options.weeks - 1), last]
    password_hash = hash_password(settings.demo_password)
    created = []
    started = clock.perf_counter()
    for offset, number in enumerate(numbers):
        rng = random.Random(options.seed * 1000 + offset)  # noqa: S311 - test data, not secrets
        with session.begin():
            layout, kommun = _create_kommun(
                session, number, options, password_hash=password_hash, rng=rng, now=now
            )
            count = _write_weeks(session, layout, options, weeks, rng, progress, kommun.name)
        created.append(
            SyntheticKommun(
                kommun.slug, kommun.name, count, kommun.coordinator_email, kommun.reporter_emails
            )
        )
    total = sum(kommun.observations for kommun in created)
    elapsed = clock.perf_counter() - started
    progress(
        f"{_count(total)} händelser på {elapsed:.1f} s ({_count(round(total / elapsed))} per "
        "sekund); uppdaterar databasens statistik och sammanställer förra veckans lägesbild"
    )
    engine = session.get_bind()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        refresh_statistics(connection, ["weekly_report", "observation"])
    with session.begin():
        for kommun in created:
            municipality = session.scalar(
                select(Municipality).where(Municipality.slug == kommun.slug)
            )
            compile_picture(
                session,
                municipality,
                last,
                reason=CompileReason.CLI,
                actor=None,
                now=now,
                tz=settings.tz,
            )
    return created
