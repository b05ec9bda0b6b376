"""audit events found by key

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 23:10:00
"""

from __future__ import annotations

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None, recreate='never') as batch_op:
        batch_op.create_index('ix_audit_events_entity_key', ['entity_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None, recreate='never') as batch_op:
        batch_op.drop_index('ix_audit_events_entity_key')
