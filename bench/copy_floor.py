"""The import's floor: write rows already in the tables' form into those tables, in one
transaction, with nothing of ours between the file and the database, and report the time
and this process's peak memory. bench/run.py dumps what the import wrote (every table it
filled, each column as the table holds it) into FOLDER, with FOLDER/manifest.json naming
the tables in the order their keys need and their columns, and runs this on a freshly
migrated, empty schema (its indexes, keys and constraints as the import meets them).

    python bench/copy_floor.py --database URL --tables FOLDER

PostgreSQL: ``COPY table (columns) FROM STDIN (FORMAT csv)`` of each file through psycopg,
fed in 1 MiB blocks. SQLite has no COPY: the closest is what the sqlite3 shell's
``.import`` does, each CSV row read as strings (``\\N`` for NULL) and inserted by one
prepared ``INSERT`` (``executemany``), every file in one transaction; SQLite's column
affinity turns the strings back into the integers and reals they were.

Prints one JSON line: {"rows", "tables", "wall_s", "cpu_s", "peak_rss_mb"}; the wall and
CPU times are the writing and the commit only (not starting Python).
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NULL = "\\N"  # how the SQLite dump writes a NULL (PostgreSQL's CSV: an unquoted empty field)
BLOCK = 1 << 20


def manifest(folder: Path) -> list[tuple[str, list[str]]]:
    return [
        (table, columns) for table, columns in json.loads((folder / "manifest.json").read_text())
    ]


def copy_postgresql(connection: Any, folder: Path, counts: dict[str, int]) -> int:
    rows = 0
    with connection.cursor() as cursor:
        for table, columns in manifest(folder):
            names = ", ".join(f'"{c}"' for c in columns)
            with (
                (folder / f"{table}.csv").open("rb") as source,
                cursor.copy(f'COPY "{table}" ({names}) FROM STDIN (FORMAT csv)') as copy,
            ):
                while block := source.read(BLOCK):
                    copy.write(block)
            counts[table] = cursor.rowcount
            rows += cursor.rowcount
    connection.commit()
    return rows


def sqlite_rows(path: Path) -> Iterator[list[str | None]]:
    with path.open(newline="", encoding="utf-8") as source:
        for row in csv.reader(source):
            yield [None if value == NULL else value for value in row]


def copy_sqlite(connection: Any, folder: Path, counts: dict[str, int]) -> int:
    rows = 0
    cursor = connection.cursor()
    cursor.execute("BEGIN")
    for table, columns in manifest(folder):
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        cursor.executemany(
            f'INSERT INTO "{table}" ({names}) VALUES ({marks})',
            sqlite_rows(folder / f"{table}.csv"),
        )
        counts[table] = cursor.rowcount
        rows += cursor.rowcount
    cursor.execute("COMMIT")
    cursor.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--tables", type=Path, required=True)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from transport.db.engine import make_engine

    engine = make_engine(args.database)
    raw = engine.raw_connection()  # the service's own connection settings (pragmas, jit)
    counts: dict[str, int] = {}
    try:
        started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
        if engine.dialect.name == "postgresql":
            rows = copy_postgresql(raw.driver_connection, args.tables, counts)
        else:
            rows = copy_sqlite(raw.driver_connection, args.tables, counts)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        raw.close()
        engine.dispose()
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    figures = {
        "rows": rows,
        "tables": counts,
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_rss_mb": after.ru_maxrss / 1024,
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
