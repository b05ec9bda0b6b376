"""every family reached: landlines, postal addresses and letters; transport details recorded

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0010'
branch_labels = None
depends_on = None


def _widen(table: str, column: str, before: int, after: int) -> None:
    """varchar(before) -> varchar(after) where the length is enforced (PostgreSQL). SQLite
    does not enforce it, and copying a table that others refer to would break their
    foreign keys: there the column stays as it is."""
    if op.get_bind().dialect.name == 'sqlite':
        return
    op.alter_column(
        table, column, type_=sa.String(after), existing_type=sa.String(before),
        existing_nullable=False,
    )


def upgrade() -> None:
    with op.batch_alter_table('contacts', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('landline', sa.String(20), nullable=True))
        batch_op.add_column(sa.Column('address_line_1', sa.String(100), nullable=True))
        batch_op.add_column(sa.Column('address_line_2', sa.String(100), nullable=True))
        batch_op.add_column(sa.Column('address_line_3', sa.String(100), nullable=True))
        batch_op.add_column(sa.Column('town', sa.String(100), nullable=True))
        batch_op.add_column(sa.Column('postcode', sa.String(10), nullable=True))
        batch_op.add_column(
            sa.Column('address_status', sa.String(12), nullable=False, server_default='ok')
        )
    # 'letter' is six characters.
    _widen('contacts', 'preferred_channel', 5, 10)
    _widen('outbox', 'channel', 5, 10)
    with op.batch_alter_table('outbox', schema=None, recreate='never') as batch_op:
        # A letter written by the file backend: the day the post room posted it.
        batch_op.add_column(sa.Column('posted_on', sa.Date(), nullable=True))
    with op.batch_alter_table('arrangements', schema=None, recreate='never') as batch_op:
        # 'message N' when this service told the family (family_informed_on is then the
        # day it went); None when the council's export carried the date.
        batch_op.add_column(sa.Column('informed_by', sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('arrangements', schema=None) as batch_op:
        batch_op.drop_column('informed_by')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('posted_on')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        for column in (
            'address_status', 'postcode', 'town', 'address_line_3', 'address_line_2',
            'address_line_1', 'landline',
        ):
            batch_op.drop_column(column)
