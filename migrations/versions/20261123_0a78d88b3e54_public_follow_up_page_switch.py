"""public follow-up page switch

Revision ID: 0a78d88b3e54
Revises: eba20b5b5379
Create Date: 2026-11-23 15:24:09.146007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0a78d88b3e54'
down_revision: str | None = 'eba20b5b5379'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_follow_up', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_column('public_follow_up')

