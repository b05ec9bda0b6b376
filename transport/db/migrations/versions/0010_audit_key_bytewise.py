"""audit keys compared byte by byte on PostgreSQL (COLLATE "C")

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 05:00:00

A child's events are found by the range of keys "pupil_ref/" < key < "pupil_ref0" (their
contact links, arrangements and removed rows). A database created with a collation that
ignores punctuation at first (glibc's en_GB.UTF-8, usual on a UK server) sorts "P1/A" as
"P1A", outside that range, so those events were not found. "C" compares bytes, as SQLite
does; the index is rebuilt with it, so the range is still one index probe.
"""

from __future__ import annotations

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE audit_events ALTER COLUMN entity_key TYPE varchar(200) COLLATE "C"')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            'ALTER TABLE audit_events ALTER COLUMN entity_key TYPE varchar(200) COLLATE "default"'
        )
