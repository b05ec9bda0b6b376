"""job runs know their process; channels that are down

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder', sa.String(length=100), nullable=True))
    op.create_table('channel_health',
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('down_since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel', name=op.f('pk_channel_health'))
    )


def downgrade() -> None:
    op.drop_table('channel_health')
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_column('holder')
