"""Persistence: tables, engine and sessions, migrations, set-based queries."""
