"""what providers tell us back: texts received (replies, STOP/START), and tasks about a
contact or a number rather than a child

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    op.create_table('inbound_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=10), nullable=False),
    sa.Column('provider_id', sa.String(length=100), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('from_number', sa.String(length=20), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('redacted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_inbound_messages_contact_id_contacts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_messages')),
    sa.UniqueConstraint('provider', 'provider_id', name=op.f('uq_inbound_messages_provider'))
    )
    op.create_index('ix_inbound_messages_received_at', 'inbound_messages', ['received_at'], unique=False)
    op.create_index('ix_inbound_messages_contact_id', 'inbound_messages', ['contact_id'], unique=False)
    # A status callback finds its message by the provider's id.
    with op.batch_alter_table('outbox', schema=None, recreate='never') as batch_op:
        batch_op.create_index('ix_outbox_provider_id', ['provider_id'], unique=False)
    # A task may be about a contact or a number (read_reply) rather than a child: the
    # table is copied on SQLite to let pupil_ref and academic_year be empty (no table
    # refers to tasks).
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.alter_column('pupil_ref', existing_type=sa.String(length=40), nullable=True)
        batch_op.alter_column('academic_year', existing_type=sa.SmallInteger(), nullable=True)
        batch_op.add_column(sa.Column('contact_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('about', sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_tasks_contact_id_contacts'), 'contacts', ['contact_id'], ['id']
        )
    # One open task per kind and subject ("contact:12", "number:+447700900123").
    op.create_index('uq_tasks_open_about', 'tasks', ['kind', 'about'], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    op.drop_index('uq_tasks_open_about', table_name='tasks')
    op.execute(sa.text("DELETE FROM tasks WHERE pupil_ref IS NULL OR academic_year IS NULL"))
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tasks_contact_id_contacts'), type_='foreignkey')
        batch_op.drop_column('about')
        batch_op.drop_column('contact_id')
        batch_op.alter_column('academic_year', existing_type=sa.SmallInteger(), nullable=False)
        batch_op.alter_column('pupil_ref', existing_type=sa.String(length=40), nullable=False)
    with op.batch_alter_table('outbox', schema=None, recreate='never') as batch_op:
        batch_op.drop_index('ix_outbox_provider_id')
    op.drop_index('ix_inbound_messages_contact_id', table_name='inbound_messages')
    op.drop_index('ix_inbound_messages_received_at', table_name='inbound_messages')
    op.drop_table('inbound_messages')
