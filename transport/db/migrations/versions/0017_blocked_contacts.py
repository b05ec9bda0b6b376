"""an index of blocked contacts

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-07 17:35:00

An import asks, for each chunk of contacts.csv, which contacts are blocked (a parent
re-listed under a blocked contact's name stays blocked). Without an index each chunk
read the whole contacts table, so a county's import grew with the square of its size:
contacts.csv of a million-pupil county took about three minutes. Blocks are few, so the
index finds them at once.
"""

from __future__ import annotations

from alembic import op

revision = '0017'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_contacts_blocked', 'contacts', ['do_not_contact'])


def downgrade() -> None:
    op.drop_index('ix_contacts_blocked', table_name='contacts')
