"""safeguarding blocks on contacts; decisions made here

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN, also on SQLite: copying a table that others refer to
    # would break their foreign keys.
    with op.batch_alter_table('contacts', schema=None, recreate='never') as batch_op:
        batch_op.add_column(
            sa.Column('do_not_contact', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column('blocked_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('blocked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('block_reason', sa.String(length=500), nullable=True))
    with op.batch_alter_table('applications', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('decided_by', sa.String(length=100), nullable=True))
    # Who decided what here, from the audit log of `applications decide`.
    audit = sa.table(
        'audit_events',
        sa.column('action', sa.String),
        sa.column('entity', sa.String),
        sa.column('entity_key', sa.String),
        sa.column('actor', sa.String),
    )
    apps = sa.table(
        'applications', sa.column('application_ref', sa.String), sa.column('decided_by', sa.String)
    )
    decider = (
        sa.select(sa.func.max(audit.c.actor))
        .where(
            audit.c.action == 'decide',
            audit.c.entity == 'applications',
            audit.c.entity_key == apps.c.application_ref,
        )
        .scalar_subquery()
    )
    op.execute(apps.update().values(decided_by=decider))


def downgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('decided_by')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('block_reason')
        batch_op.drop_column('blocked_at')
        batch_op.drop_column('blocked_by')
        batch_op.drop_column('do_not_contact')
