"""scheduler heartbeat

Revision ID: d12854fcfba5
Revises: 0a78d88b3e54
Create Date: 2026-11-23 15:28:04.447674
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import estapp.db


revision: str = 'd12854fcfba5'
down_revision: str | None = '0a78d88b3e54'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'scheduler_heartbeat',
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('beat_at', estapp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_heartbeat')),
    )


def downgrade() -> None:
    op.drop_table('scheduler_heartbeat')
