"""Demo data: two kommuner of one lokalpolisområde, their partners, places and accounts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from estapp.admin import services
from estapp.auth.passwords import hash_password
from estapp.config import Settings
from estapp.db import utcnow
from estapp.models import Municipality, OrganisationKind, Role
from estapp.seed.promises import create_demo_promises


class DemoRefused(Exception):
    """Demo data must never be written into a production database."""


def database_is_empty(session: Session) -> bool:
    return session.scalar(select(Municipality.id).limit(1)) is None


def _square(lon: float, lat: float, size: float = 0.01) -> dict[str, object]:
    """A small rectangular polygon, enough to draw the area on the kommun map."""
    half_w, half_h = size, size * 0.55
    ring = [
        [lon - half_w, lat - half_h],
        [lon + half_w, lat - half_h],
        [lon + half_w, lat + half_h],
        [lon - half_w, lat + half_h],
        [lon - half_w, lat - half_h],
    ]
    return {"type": "Polygon", "coordinates": [[[round(x, 5), round(y, 5)] for x, y in ring]]}


# Fictional kommuner; names and places invented for the demo.
KOMMUNER = {
    "ekbacka": (
        "Ekbacka",
        (13.90, 58.40),
        {
            "Centrum": (0, 0, ["Resecentrum", "Stora torget", "Stadsparken", "Biblioteket"]),
            "Norrmalm": (0, 1, ["Norrmalmsskolan", "Idrottsplatsen", "Gångtunneln vid Norrvägen"]),
            "Sjöängen": (1, 0, ["Tvättstugan Sjöängen", "Lekplatsen Sjöängen", "Garagen"]),
            "Industriområdet Öst": (1, 1, ["Återvinningsstationen", "Lastkajen"]),
        },
    ),
    "sjovik": (
        "Sjövik",
        (14.10, 58.30),
        {
            "Centrum": (0, 0, ["Busstationen", "Hamnen", "Torget"]),
            "Västerby": (-1, 0, ["Västerbyskolan", "Fritidsgården Kupan"]),
            "Badviken": (0, -1, ["Badplatsen", "Motionsspåret"]),
        },
    ),
}

ORGANISATIONS = [
    # (key, name, kind, kommuner)
    (
        "polis",
        "Polisen, lokalpolisområde Ekbacka–Sjövik",
        OrganisationKind.POLIS,
        ["ekbacka", "sjovik"],
    ),
    (
        "rtj",
        "Räddningstjänsten Ekbacka–Sjövik",
        OrganisationKind.RADDNINGSTJANST,
        ["ekbacka", "sjovik"],
    ),
    ("skola", "Ekbacka kommun, barn och utbildning", OrganisationKind.SKOLA, ["ekbacka"]),
    ("soc", "Ekbacka kommun, socialtjänsten", OrganisationKind.SOCIALTJANST, ["ekbacka"]),
    ("fritid", "Sjövik kommun, fritid och kultur", OrganisationKind.FRITID, ["sjovik"]),
    ("ekhem", "Ekbackahem AB", OrganisationKind.BOSTADSBOLAG, ["ekbacka"]),
    ("sjobo", "Sjövikshus AB", OrganisationKind.BOSTADSBOLAG, ["sjovik"]),
    ("vakt", "Tryggvakt Väst AB", OrganisationKind.BEVAKNING, ["ekbacka", "sjovik"]),
]

REPORTER_NAMES = {
    "polis": "Maria Lind",
    "rtj": "Johan Berg",
    "skola": "Sara Holm",
    "soc": "Erik Sand",
    "fritid": "Lina Ek",
    "ekhem": "Omar Nilsson",
    "sjobo": "Karin Åberg",
    "vakt": "Peter Dahl",
}


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role
    description: str
    organisation_key: str | None = None
    kommun_slugs: tuple[str, ...] = ()


def demo_accounts() -> list[DemoAccount]:
    """The demo logins, one per role (and one reporter per partner organisation)."""
    accounts = [DemoAccount("admin@estapp.example", "Alva Admin", Role.ADMIN, "administratör")]
    for slug, (name, _centre, _areas) in KOMMUNER.items():
        accounts.append(
            DemoAccount(
                f"samordnare@{slug}.example",
                f"Samordnare {name}",
                Role.COORDINATOR,
                f"samordnare, {name}",
                kommun_slugs=(slug,),
            )
        )
    for key, org_name, _kind, _slugs in ORGANISATIONS:
        accounts.append(
            DemoAccount(
                f"{key}@rapport.example",
                REPORTER_NAMES[key],
                Role.REPORTER,
                f"rapportör, {org_name}",
                organisation_key=key,
            )
        )
    accounts.append(
        DemoAccount(
            "lasare@ekbacka.example",
            "Lars Läsare",
            Role.VIEWER,
            "läsare, Ekbacka",
            kommun_slugs=("ekbacka",),
        )
    )
    return accounts


def create_demo_data(session: Session, settings: Settings) -> None:
    """Create the demo kommuner, partners, places and accounts."""
    if settings.is_production:
        raise DemoRefused("Demodata skapas aldrig i produktion (ESTAPP_ENV=production).")
    now = utcnow()
    kommuner: dict[str, Municipality] = {}
    for slug, (name, (lon, lat), areas) in KOMMUNER.items():
        municipality = services.create_municipality(session, None, name, slug, now=now)
        kommuner[slug] = municipality
        for area_name, (dx, dy, places) in areas.items():
            centre = (lon + dx * 0.021, lat + dy * 0.012)
            area = services.create_area(
                session, None, municipality, area_name, geojson=_square(*centre), now=now
            )
            for index, place_name in enumerate(places):
                services.create_place(
                    session,
                    None,
                    area,
                    place_name,
                    latitude=round(centre[1] + (index - 1) * 0.002, 5),
                    longitude=round(centre[0] + (index - 1) * 0.003, 5),
                    now=now,
                )
    organisations = {
        key: services.create_organisation(
            session, None, name, kind, [kommuner[s] for s in slugs], now=now
        )
        for key, name, kind, slugs in ORGANISATIONS
    }
    # One hash for all demo accounts: argon2 is slow on purpose.
    password_hash = hash_password(settings.demo_password)
    for account in demo_accounts():
        services.create_user(
            session,
            None,
            email=account.email,
            name=account.name,
            role=account.role,
            organisation=organisations.get(account.organisation_key or ""),
            municipalities=[kommuner[s] for s in account.kommun_slugs],
            password_hash=password_hash,
            now=now,
        )
    create_demo_promises(session, kommuner, now=now, tz=settings.tz)
