"""Alembic environment: the URL comes from estapp's settings, the schema from its models."""

from __future__ import annotations

from alembic import context

import estapp.models  # noqa: F401  (registers every table)
from estapp.config import load_settings
from estapp.db import Base, make_engine

config = context.config
database_url = config.attributes.get("database_url") or load_settings().database_url
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=database_url, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
