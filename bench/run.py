"""Benchmark the main commands on a generated county, on SQLite and on PostgreSQL:
`transport import` (first, then a repeat with no changes), `transport check`,
`transport applications assess`, the nightly job (`transport jobs run nightly`:
snapshot, ladder, tasks, digest) and `transport remind` for the night after, with a
baseline query for the check and, beside it, what the backlog forecast adds to the check
(bench/forecast.py, on the database as the check saw it); last, `transport import
--complete` of the same bundle (no change) and of the bundle with a slice dropped (1% of
the pupils gone with all their rows, and 1% more of the awards, applications and
arrangements), which makes those pupils left and removes those rows.

    .venv/bin/python bench/run.py --pupils 100000 [--runs 3] [--only sqlite|postgresql]

Prints a table and, last, one JSON line with every figure (median of the runs; peak
memory is the largest). Each command runs in a fresh process (bench/measure.py), so
peak memory is that command's own.
"""

from __future__ import annotations

import argparse
import atexit
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
AS_OF = "2026-08-26"
NEXT_DAY = "2026-08-27"
# In order, on one database: each step sees what the one before left.
STEPS: dict[str, list[str]] = {
    "import": ["import", "{bundle}"],
    "reimport": ["import", "{bundle}"],
    "check": ["check", "--as-of", AS_OF, "--format", "json", "--no-save"],
    "assess": ["applications", "assess"],
    "nightly": ["jobs", "run", "nightly", "--on", AS_OF],
    # The next night's ladder on its own, over what the nightly job left.
    "remind": ["remind", "--as-of", NEXT_DAY],
    # Last, so that the figures above stay comparable with earlier runs.
    "complete": ["import", "{bundle}", "--complete"],
    "complete_removing": ["import", "{smaller}", "--complete"],
}
# The files --complete applies to; the share of each that the smaller bundle drops.
REMOVED_FROM = ("pupils", "awards", "applications", "arrangements")
DROPPED = 100  # one row in this many


def measure(url: str, *args: str) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        env = {**os.environ, "TRANSPORT_DATABASE_URL": url, "TRANSPORT_CONFIG": ""}
        subprocess.run(
            [sys.executable, str(HERE / "measure.py"), out.name, "--", *args],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        result: dict[str, Any] = json.loads(Path(out.name).read_text())
    if result["exit_code"] not in (0, 1):
        raise SystemExit(f"{args} failed with exit code {result['exit_code']}")
    return result


def forecast_share(url: str) -> dict[str, Any]:
    """The check and the forecast on its result, timed in one process (bench/forecast.py)."""
    env = {**os.environ, "TRANSPORT_DATABASE_URL": url, "TRANSPORT_CONFIG": ""}
    done = subprocess.run(
        [sys.executable, str(HERE / "forecast.py"), "--database", url, "--runs", "1",
         "--as-of", AS_OF],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def baseline(url: str) -> float:
    """One plain query reading every column the check needs, fetched to the end."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import text

    from transport.db.engine import make_engine

    engine = make_engine(url)
    queries = [
        "SELECT pupil_ref, school_urn, next_school_urn, status FROM pupils",
        "SELECT pupil_ref, valid_from, valid_until, school_urn FROM awards",
        "SELECT pupil_ref, academic_year, status FROM applications",
        "SELECT pupil_ref, academic_year, family_informed_on FROM arrangements",
        "SELECT pc.pupil_ref, c.email, c.email_status, c.mobile, c.mobile_status "
        "FROM pupil_contacts pc JOIN contacts c ON c.id = pc.contact_id",
    ]
    started = time.perf_counter()
    with engine.connect() as conn:
        for query in queries:
            for _ in conn.exec_driver_sql(query):
                pass
    engine.dispose()
    _ = text
    return time.perf_counter() - started


def count_rows(url: str, table: str) -> int:
    sys.path.insert(0, str(ROOT))
    from transport.db.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        found = int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())
    engine.dispose()
    return found


def drop_slice(bundle: Path, out: Path) -> tuple[dict[str, int], int]:
    """Copy ``bundle`` to ``out`` less a slice: every DROPPED-th active pupil, with all their
    rows, and every DROPPED-th remaining row of awards, applications and arrangements.
    Returns how many rows of each table an import --complete of ``out`` will remove (for
    pupils: make left), and the rows ``out`` holds."""
    out.mkdir()
    gone: set[str] = set()
    removed = dict.fromkeys(REMOVED_FROM, 0)
    kept = 0
    for path in sorted(bundle.iterdir(), key=lambda p: p.name != "pupils.csv"):
        stem = path.stem
        with (
            path.open(newline="", encoding="utf-8") as src,
            (out / path.name).open("w", newline="", encoding="utf-8") as dst,
        ):
            reader = csv.DictReader(src)
            writer = csv.DictWriter(dst, reader.fieldnames or [])
            writer.writeheader()
            for index, row in enumerate(reader):
                if stem == "pupils":
                    drop = index % DROPPED == DROPPED - 1 and row["status"] != "left"
                    if drop:
                        gone.add(row["pupil_ref"])
                elif stem in removed:
                    drop = row["pupil_ref"] in gone or index % DROPPED == DROPPED // 2
                else:
                    drop = row.get("pupil_ref") in gone  # contacts.csv
                if drop and stem in removed:
                    removed[stem] += 1
                if not drop:
                    writer.writerow(row)
                    kept += 1
        out.joinpath(path.name).chmod(0o600)
    return removed, kept


def table_counts(url: str) -> dict[str, int]:
    """Rows of each table --complete removes from (pupils: those not left)."""
    sys.path.insert(0, str(ROOT))
    from transport.db.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        found = {
            table: int(
                conn.exec_driver_sql(
                    f"SELECT count(*) FROM {table}"
                    + (" WHERE status <> 'left'" if table == "pupils" else "")
                ).scalar_one()
            )
            for table in REMOVED_FROM
        }
    engine.dispose()
    return found


def fresh_database(kind: str, folder: Path, pg_url: str | None, n: int) -> str:
    if kind == "sqlite":
        path = folder / f"bench-{n}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    assert pg_url is not None
    from sqlalchemy import text

    sys.path.insert(0, str(ROOT))
    from transport.db.engine import make_engine

    # A schema of this process's own, so two benchmark runs never touch each other's.
    schema = f"bench_{os.getpid()}"
    engine = make_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    atexit.register(drop_schema, pg_url, schema)
    sep = "&" if "?" in pg_url else "?"
    return f"{pg_url}{sep}options=-csearch_path%3D{schema}"


def drop_schema(pg_url: str, schema: str) -> None:
    from sqlalchemy import text

    from transport.db.engine import make_engine

    engine = make_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pupils", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument(
        "--steps",
        type=lambda text: [name.strip() for name in text.split(",")],
        default=list(STEPS),
        help=f"a comma-separated subset of {','.join(STEPS)} "
        "(in the usual order; e.g. import,complete,complete_removing for the import target)",
    )
    args = parser.parse_args()
    unknown = sorted(set(args.steps) - set(STEPS))
    if unknown:
        parser.error(f"unknown steps: {', '.join(unknown)}")
    steps = {name: command for name, command in STEPS.items() if name in args.steps}

    results: list[dict[str, Any]] = []
    forecasts: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        folder = Path(tmp)
        bundle = folder / "bundle"
        sys.path.insert(0, str(ROOT))
        from transport.synthetic import generate_bundle

        rows = generate_bundle(bundle, pupils=args.pupils, seed=args.seed, year=2026)
        total_rows = sum(rows.values())
        smaller = folder / "smaller"
        removed, smaller_rows = drop_slice(bundle, smaller)
        paths = {"{bundle}": str(bundle), "{smaller}": str(smaller)}
        kinds = [args.only] if args.only else ["sqlite", "postgresql"]
        for kind in kinds:
            figures: dict[str, list[dict[str, Any]]] = {name: [] for name in steps}
            base: list[float] = []
            shares: list[dict[str, Any]] = []
            for _ in range(args.runs):
                url = fresh_database(kind, folder, args.postgres, args.pupils)
                for name, command in steps.items():
                    argv = [paths.get(part, part) for part in command]
                    before = table_counts(url) if name == "complete_removing" else {}
                    figures[name].append(measure(url, *argv))
                    if name == "check":
                        shares.append(forecast_share(url))
                    if before:
                        after = table_counts(url)
                        gone = {t: before[t] - after[t] for t in REMOVED_FROM}
                        if gone != removed:
                            raise SystemExit(f"--complete removed {gone}, expected {removed}")
                base.append(baseline(url))
                assessed = count_rows(url, "application_assessments")
            floor = statistics.median(base)
            if shares:
                check_s = statistics.median(f["check_s"] for f in shares)
                forecast_s = statistics.median(f["forecast_s"] for f in shares)
                forecasts[kind] = {
                    "check_s": check_s,
                    "forecast_s": forecast_s,
                    "forecast_share_of_check": round(forecast_s / check_s, 4),
                    "runs": len(shares),
                }
            for name, runs in figures.items():
                wall = statistics.median(r["wall_s"] for r in runs)
                count = {
                    "import": total_rows,
                    "reimport": total_rows,
                    "complete": total_rows,
                    "complete_removing": smaller_rows,
                    "assess": assessed,
                }.get(name, args.pupils)
                results.append(
                    {
                        "database": kind,
                        "command": name,
                        "pupils": args.pupils,
                        "rows": count,
                        "wall_s": round(wall, 2),
                        "cpu_s": round(statistics.median(r["cpu_s"] for r in runs), 2),
                        "rows_per_s": round(count / wall),
                        "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs)),
                        "x_baseline": round(wall / floor, 1),
                        "runs": len(runs),
                    }
                )
            results.append(
                {
                    "database": kind,
                    "command": "baseline query",
                    "pupils": args.pupils,
                    "rows": args.pupils,
                    "wall_s": round(floor, 2),
                    "cpu_s": None,
                    "rows_per_s": None,
                    "peak_rss_mb": None,
                    "x_baseline": 1.0,
                    "runs": len(base),
                }
            )

    print(
        f"{'database':<11}{'command':<19}{'pupils':>9}{'rows':>10}{'wall s':>9}"
        f"{'cpu s':>8}{'rows/s':>10}{'peak MB':>9}{'x base':>8}"
    )
    for r in results:
        print(
            f"{r['database']:<11}{r['command']:<19}{r['pupils']:>9}{r['rows']:>10}"
            f"{r['wall_s']:>9}{r['cpu_s'] or '':>8}{r['rows_per_s'] or '':>10}"
            f"{r['peak_rss_mb'] or '':>9}{r['x_baseline']:>8}"
        )
    for kind, f in forecasts.items():
        print(
            f"{kind}: the forecast adds {f['forecast_share_of_check']:.1%} to the check "
            f"({f['forecast_s']} s to its {f['check_s']} s, in one process)"
        )
    print(f"import --complete of the smaller bundle: {removed} (pupils: made left)")
    print(
        json.dumps(
            {
                "machine": f"{os.cpu_count()} cores",
                "bundle_rows": total_rows,
                "removed_by_complete": removed,
                "forecast": forecasts,
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()
