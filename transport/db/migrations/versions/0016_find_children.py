"""indexes to find a child by what a caller gives: a reference in any case, a surname, a
postcode, a parent's email or number

Revision ID: 0016
Revises: 0011
Create Date: 2026-12-07 15:00:00

`transport find` and every filter naming a pupil (matched exactly, then in any case) look
children up by these, on a county of a million pupils, with an index probe or range each.
Folded text is compared byte by byte (COLLATE "C" on PostgreSQL, as SQLite does), so a
prefix's range holds exactly the values that begin with it, whatever the server's
collation (see 0010).
"""

from __future__ import annotations

from alembic import op

revision = '0016'
down_revision = '0011'
branch_labels = None
depends_on = None

# name, table, expression (the byte-wise ones take COLLATE "C" on PostgreSQL)
INDEXES = (
    ('ix_pupils_ref_folded', 'pupils', 'lower(pupil_ref)', True),
    ('ix_pupils_surname_folded', 'pupils', 'lower(last_name)', True),
    ('ix_pupils_postcode_compact', 'pupils', "upper(replace(home_postcode, ' ', ''))", True),
    ('ix_contacts_email_folded', 'contacts', 'lower(email)', False),
    ('ix_contacts_mobile', 'contacts', 'mobile', False),
    ('ix_contacts_landline', 'contacts', 'landline', False),
    ('ix_contacts_postcode_compact', 'contacts', "upper(replace(postcode, ' ', ''))", True),
)


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for name, table, expression, bytewise in INDEXES:
        collated = f'({expression}) COLLATE "C"' if postgresql and bytewise else f'({expression})'
        op.execute(f'CREATE INDEX {name} ON {table} ({collated})')


def downgrade() -> None:
    for name, _table, _expression, _bytewise in INDEXES:
        op.execute(f'DROP INDEX {name}')
