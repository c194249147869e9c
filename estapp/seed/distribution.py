"""The demo kommuner's distribution lists, so publishing in the demo sends mail at once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from estapp.models import DistributionRecipient, Municipality, User

# (kommun slug, user e-mail or external address, name of an external address, lägesbild, protokoll)
DEMO_LISTS = (
    ("ekbacka", "samordnare@ekbacka.example", None, True, True),
    ("ekbacka", "lasare@ekbacka.example", None, True, False),
    ("ekbacka", "polis@rapport.example", None, True, True),
    ("ekbacka", "skola@rapport.example", None, True, False),
    ("ekbacka", "trygghetsvardar@ekbackahem.example", "Trygghetsvärdarna, Ekbackahem", True, False),
    ("sjovik", "samordnare@sjovik.example", None, True, True),
    ("sjovik", "polis@rapport.example", None, True, True),
    ("sjovik", "fritid@rapport.example", None, True, False),
)


def create_demo_distribution(session: Session) -> None:
    """Put demo users and one external address on each demo kommun's list."""
    kommuner = {m.slug: m for m in session.scalars(select(Municipality))}
    users = {u.email: u for u in session.scalars(select(User))}
    for slug, address, name, lagesbild, protokoll in DEMO_LISTS:
        user = users.get(address)
        session.add(
            DistributionRecipient(
                municipality_id=kommuner[slug].id,
                user=user,
                email=None if user else address,
                name=None if user else name,
                lagesbild=lagesbild,
                protokoll=protokoll,
            )
        )
    session.flush()
