"""What a test's database at head costs, with its clean-up: a fresh database migrated by
Alembic (what each test that used `engine` paid before), against what it pays now
(tests/databases.py): on SQLite a copy of a template file; on PostgreSQL a schema given
back by an earlier test and emptied ("reuse", the usual case) or, when none is free, a
new one made by running the migration's statements again ("replay"). Each way writes a
row; runs interleaved, the median.

    .venv/bin/python bench/test_databases.py --runs 20
    .venv/bin/python bench/test_databases.py --runs 20 --postgres postgresql://postgres@127.0.0.1:5432/test

Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (its database is used)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import text
    from sqlalchemy.engine import Engine

    from tests.databases import PostgresSchemas, SqliteTemplate, schema_url
    from transport.db.engine import make_engine, normalise_url
    from transport.db.schema import upgrade

    results = []
    ways: dict[str, Callable[[], None]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-test-db-") as tmp:
        folder = Path(tmp)
        if args.postgres:
            server = make_engine(normalise_url(args.postgres))
            schemas = PostgresSchemas(server)
            backend = "postgresql"

            def migrated() -> None:  # what each test paid before
                schema = f"b_{uuid.uuid4().hex[:16]}"
                with server.begin() as conn:
                    conn.execute(text(f'CREATE SCHEMA "{schema}"'))
                engine = make_engine(schema_url(server, schema))
                upgrade(engine)
                used(engine)
                with server.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))

            def replayed() -> None:  # no schema to reuse: the statements run again
                kept, schemas.free = schemas.free, []
                schema = schemas.take(at_head=True)
                used(make_engine(schema_url(server, schema)))
                schemas.drop(schema)  # as a schema a test changed is
                schemas.free = kept

            def reused() -> None:  # the usual case: a schema given back, emptied
                schema = schemas.take(at_head=True)
                used(make_engine(schema_url(server, schema)))
                schemas.give_back(schema)

            ways = {"alembic": migrated, "replay": replayed, "reuse": reused}
        else:
            template = SqliteTemplate(folder)
            backend = "sqlite"

            def migrated() -> None:
                path = folder / f"{uuid.uuid4().hex}.db"
                engine = make_engine(f"sqlite:///{path}")
                upgrade(engine)
                used(engine)
                path.unlink()

            def copied() -> None:
                path = folder / f"{uuid.uuid4().hex}.db"
                assert template.copy_to(f"sqlite:///{path}")
                used(make_engine(f"sqlite:///{path}"))
                path.unlink()

            ways = {"alembic": migrated, "copy": copied}

        def used(engine: Engine) -> None:
            """What a test does at least: write a row, then let go of the engine."""
            with engine.begin() as conn:
                conn.execute(text(
                    "INSERT INTO schools (urn, name, calendar) VALUES ('100001', 'Oak', 'x')"
                ))  # fmt: skip
            engine.dispose()

        timings: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(args.runs):
            for name, step in ways.items():
                started = time.perf_counter()
                step()
                timings[name].append(time.perf_counter() - started)
        if args.postgres:
            schemas.close()
        for name, values in timings.items():
            median_ms = round(statistics.median(values) * 1000, 1)
            results.append(
                {"database": backend, "way": name, "median_ms": median_ms, "runs": args.runs}
            )
    print(f"{'database':<12}{'way':<10}{'median ms':>10}")
    for r in results:
        print(f"{r['database']:<12}{r['way']:<10}{r['median_ms']:>10}")
    print(json.dumps({"results": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
