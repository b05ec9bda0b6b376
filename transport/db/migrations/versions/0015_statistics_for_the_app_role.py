"""the application role may refresh the planner's statistics of our tables

Revision ID: 0015
Revises: 0016
Create Date: 2026-12-07 16:30:00

An import refreshes PostgreSQL's planner statistics of the tables it has just filled
(ANALYZE), so that the check that follows plans with their real size: with stale
statistics a million-pupil check took 55 s instead of 13. On PostgreSQL 15 and 16 only a
table's owner (the migration role) may ANALYZE it; run as the application role of
deploy/roles.sql, the import's ANALYZE was skipped with a warning nobody saw. This
function, owned by the migration role and run with its rights, analyzes one of our own
tables and nothing else; the application role calls it. SQLite plans by its indexes
alone: nothing to do there.
"""

from __future__ import annotations

from alembic import op

revision = '0015'
down_revision = '0016'
branch_labels = None
depends_on = None

FUNCTION = 'transport_analyze'


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    # SET search_path FROM CURRENT: the schema the migration ran in, fixed, so that the
    # function cannot be pointed at another table by a caller's search_path.
    op.execute(
        f"""
        CREATE FUNCTION {FUNCTION}(target text) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
        BEGIN
            IF to_regclass(quote_ident(target)) IS NULL
               OR NOT EXISTS (SELECT 1 FROM pg_tables
                              WHERE tablename = target
                                AND schemaname = current_schema()
                                AND tableowner = current_user) THEN
                RAISE EXCEPTION 'not a table of this service: %', target;
            END IF;
            EXECUTE format('ANALYZE %I', target);
        END
        $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(f'DROP FUNCTION IF EXISTS {FUNCTION}(text)')
