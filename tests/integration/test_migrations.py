"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import estapp.models  # noqa: F401
from estapp.db import Base


def test_models_and_migrations_agree(engine, database_url):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"the models differ from the migrations; add a revision: {diff}"


def test_upgrade_is_idempotent(database_url):
    from estapp.migrate import upgrade

    upgrade(database_url)  # already at head: must do nothing and not fail
