-- The service's PostgreSQL roles and database (docs/operations.md, "PostgreSQL with a
-- least-privilege role"). Run it as a superuser, once before the first
-- `transport db upgrade` and again after every upgrade:
--
--   sudo -u postgres psql -f /opt/transport/app/deploy/roles.sql
--   sudo -u postgres psql -v owner=transport_owner -v app=transport_app \
--       -v database=transport -f /opt/transport/app/deploy/roles.sql
--
-- The names are psql variables (-v), by default transport_owner, transport_app and
-- transport. It makes what is missing and changes nothing else, so it can run again:
--
-- - owner: the migration role. It owns the database and its schema and runs
--   `transport db upgrade`.
-- - app: the application role the service runs as day to day: SELECT, INSERT, UPDATE
--   and DELETE on the tables, USAGE on the sequences, temporary tables (an import's
--   staging), and nothing more: it creates, alters and drops nothing of the schema, and
--   it can add rows to the audit log and read them but never change or delete them.
--
-- The roles log in without a password until you give them one, so that none is kept in a
-- file or a shell's history: `sudo -u postgres psql -c '\password transport_app'`.

\set ON_ERROR_STOP on

\if :{?owner}
\else
  \set owner transport_owner
\endif
\if :{?app}
\else
  \set app transport_app
\endif
\if :{?database}
\else
  \set database transport
\endif

SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner') AS missing \gset
\if :missing
  CREATE ROLE :"owner" LOGIN;
\endif
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app') AS missing \gset
\if :missing
  CREATE ROLE :"app" LOGIN;
\endif
SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'database') AS missing \gset
\if :missing
  CREATE DATABASE :"database" OWNER :"owner";
\endif

REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"database" TO :"owner", :"app";
-- Temporary tables only: an import stages a file's rows in temporary tables (no other
-- session sees them, and they go at the latest when its session ends) and writes them to
-- the tables in a few set-based statements, rather than holding a whole county in
-- memory. The app still creates no ordinary table: it has no CREATE on any schema.
GRANT TEMPORARY ON DATABASE :"database" TO :"app";

\connect :"database"

-- Only the migration role may create objects; the application role may only use them.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO :"owner";
GRANT USAGE ON SCHEMA public TO :"app";

-- Every table and sequence the migration role creates from now on...
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";
-- ...and those it has already created (after an upgrade).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";

-- The audit log can be added to and read, never changed: once the schema exists (after
-- the first `transport db upgrade`, and again after any upgrade that recreates the table).
SELECT to_regclass('public.audit_events') IS NOT NULL AS has_audit_log \gset
\if :has_audit_log
  REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM :"app";
\else
  \echo 'No audit_events table yet: run `transport db upgrade` as' :"owner" ', then this script again.'
\endif
