"""index weekly reports by kommun and week

The first week a kommun reported, and one week's reports, are read by every lägesbild compile
and status board; without this index SQLite scans all of the kommun's reports for the first.

Revision ID: b58a08525fad
Revises: 68f71d200720
Create Date: 2026-11-23 15:59:38.176841
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'b58a08525fad'
down_revision: str | None = '68f71d200720'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'ix_weekly_report_kommun_week', 'weekly_report', ['municipality_id', 'week_start']
    )


def downgrade() -> None:
    op.drop_index('ix_weekly_report_kommun_week', table_name='weekly_report')
