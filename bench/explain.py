"""The check's queries on PostgreSQL, with the plans the server chose and what they cost:
``EXPLAIN (ANALYZE, BUFFERS)`` of each statement the check runs for one page of pupils
(the same compiled statements as `transport check`: transport/db/queries/risk_facts.py),
for the page that starts at ``--after``.

    .venv/bin/python bench/explain.py --database postgresql://USER@127.0.0.1:5432/DB \
        [--after P5000000]

The database must hold an imported county (`bench/run.py` keeps none; import one, or
stop a run before it drops its database). Prints each statement's plan.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def explain(cursor: Any, sql: str, params: dict[str, Any]) -> list[str]:
    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
    return [row[0] for row in cursor.fetchall()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--after", default="P5000000", help="the page starts after this ref")
    args = parser.parse_args()

    from transport.db.engine import make_engine
    from transport.db.queries.risk_facts import _Reads

    engine = make_engine(args.database)
    if engine.dialect.name != "postgresql":
        raise SystemExit("EXPLAIN (ANALYZE, BUFFERS) is PostgreSQL's: give a PostgreSQL URL")
    with engine.connect() as conn:
        reads = _Reads(conn, None, None)
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        page = reads.fetch(cursor, "pupils", last=args.after, urn=None, ref=None)
        first, last = page[0][0], page[-1][0]
        given = {
            "pupils": {"last": args.after},
            "awards": {"first": first, "last": last},
            "applications": {"first": first, "last": last},
            "arrangements": {"first": first, "last": last},
        }
        print(f"one page: {len(page):,} pupils in scope, {first} to {last}\n")
        for name, values in given.items():
            compiled = reads.compiled[name]
            params = {**compiled.params, **values}
            print(f"-- {name}\n{compiled.string}\n")
            print("\n".join(explain(cursor, compiled.string, params)), end="\n\n")
        cursor.close()
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
