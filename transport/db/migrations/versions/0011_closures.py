"""closures: half terms, INSET days and other days a school is closed inside a term

Revision ID: 0011
Revises: 0014
Create Date: 2026-12-07 09:00:00

A term's first and last days are its published dates; the days inside it when pupils do
not attend (closures.csv) are kept here, for every school of a calendar (urn '') or for
one school (the INSET days it sets itself). The check counts school days without them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('calendar', sa.String(length=60), nullable=False),
    sa.Column('urn', sa.String(length=12), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closures')),
    sa.UniqueConstraint('calendar', 'urn', 'first_day', name=op.f('uq_closures_calendar_urn_first_day'))
    )


def downgrade() -> None:
    op.drop_table('closures')
