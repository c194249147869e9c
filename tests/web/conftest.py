"""Helpers for the admin page tests: an admin login and look-ups of demo objects by name."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from estapp.models import Area, AuditEvent, Category, Municipality, Organisation, Place, User

ADMIN = "admin@estapp.example"


@pytest.fixture
def admin(login, demo):
    """The test client, logged in as the demo admin."""
    return login(ADMIN)


class Find:
    """Fresh look-ups of what the app has committed (the test session's cache is dropped)."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def _one(self, model, *where):
        self.db.rollback()  # end our transaction: the app committed on its own connection
        self.db.expire_all()  # and forget cached rows (rollback alone does not, outside one)
        return self.db.scalar(select(model).where(*where))

    def municipality(self, name: str) -> Municipality | None:
        return self._one(Municipality, Municipality.name == name)

    def organisation(self, name: str) -> Organisation | None:
        return self._one(Organisation, Organisation.name == name)

    def area(self, kommun: str, name: str) -> Area | None:
        return self._one(
            Area, Area.name == name, Area.municipality.has(Municipality.name == kommun)
        )

    def place(self, kommun: str, name: str) -> Place | None:
        return self._one(
            Place,
            Place.name == name,
            Place.area.has(Area.municipality.has(Municipality.name == kommun)),
        )

    def category(self, kommun: str, name: str) -> Category | None:
        return self._one(
            Category, Category.name == name, Category.municipality.has(Municipality.name == kommun)
        )

    def user(self, email: str) -> User | None:
        return self._one(User, User.email == email)

    def actions(self) -> list[str]:
        self.db.rollback()
        return list(self.db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def find(db: Session) -> Find:
    return Find(db)


def text_of(response) -> str:
    """The page's main content as text, without tags, with runs of whitespace collapsed."""
    html = response.get_data(as_text=True)
    main = html[html.find("<main") : html.find("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).strip()


def field_error(response, field_id: str) -> str:
    """The error message shown at one field."""
    html = response.get_data(as_text=True)
    match = re.search(rf'<p class="error-message" id="{re.escape(field_id)}-error">(.*?)</p>', html)
    assert match, f"no error shown at {field_id}"
    return match.group(1).strip()
