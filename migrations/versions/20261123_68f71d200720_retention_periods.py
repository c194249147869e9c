"""retention periods: months a kommun keeps observations, and a category's own period

Revision ID: 68f71d200720
Revises: d12854fcfba5
Create Date: 2026-11-23 15:41:43.969952
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '68f71d200720'
down_revision: str | None = 'd12854fcfba5'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('retention_months', sa.Integer(), server_default='24', nullable=False)
        )
    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_months', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.drop_column('retention_months')
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_column('retention_months')
