"""retention: when a pupil left; when a message was redacted

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN, also on SQLite: copying a table that others refer to
    # would break their foreign keys.
    with op.batch_alter_table('pupils', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('left_on', sa.Date(), nullable=True))
        batch_op.create_index('ix_pupils_left_on', ['left_on'], unique=False)
    with op.batch_alter_table('outbox', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('redacted_at', sa.DateTime(timezone=True), nullable=True))
        # Deleting a message checks the messages that fall back on it (a foreign key):
        # without this index, a scan of the whole outbox per message deleted.
        batch_op.create_index('ix_outbox_fallback_of', ['fallback_of'], unique=False)
    with op.batch_alter_table('risk_snapshots', schema=None, recreate='never') as batch_op:
        batch_op.create_index('ix_risk_snapshots_pupil_ref', ['pupil_ref'], unique=False)
    # Pupils already left: the record does not say since when, so they count from the day
    # of this upgrade. None is purged earlier than [retention] left_pupils_years after it.
    pupils = sa.table('pupils', sa.column('status', sa.String), sa.column('left_on', sa.Date))
    op.execute(
        pupils.update().where(pupils.c.status == 'left').values(left_on=sa.func.current_date())
    )


def downgrade() -> None:
    with op.batch_alter_table('risk_snapshots', schema=None, recreate='never') as batch_op:
        batch_op.drop_index('ix_risk_snapshots_pupil_ref')
    with op.batch_alter_table('outbox', schema=None, recreate='never') as batch_op:
        batch_op.drop_index('ix_outbox_fallback_of')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('redacted_at')
    with op.batch_alter_table('pupils', schema=None) as batch_op:
        batch_op.drop_index('ix_pupils_left_on')
        batch_op.drop_column('left_on')
