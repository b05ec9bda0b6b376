"""Benchmark the main commands on a generated county, on SQLite and on PostgreSQL:
`transport import` (first, then a repeat with no changes), `transport check`,
`transport applications assess`, the nightly job (`transport jobs run nightly`:
snapshot, ladder, tasks, digest) and `transport remind` for the night after; last,
`transport import --complete` of the same bundle (no change) and of the bundle with a
slice dropped (1% of the pupils gone with all their rows, and 1% more of the awards,
applications and arrangements), which makes those pupils left and removes those rows.

    .venv/bin/python bench/run.py --pupils 100000 [--runs 3] [--only sqlite|postgresql]
    .venv/bin/python bench/run.py --bundle /tmp/b10m --pupils 10000000 --only postgresql

Beside the commands, in the same run, their floors:

- the import's **COPY floor**: the rows the first import wrote (every table it filled,
  each column as the table holds it: contacts.csv as contacts and pupil_contacts,
  '2026/27' as 2026, 'yes' as true) written into the same tables of a freshly migrated,
  empty schema, with their indexes and keys, in one transaction (bench/copy_floor.py).
  On PostgreSQL a ``COPY table (columns) FROM STDIN`` of each file through psycopg; on
  SQLite, which has no COPY, what the sqlite3 shell's ``.import`` does: each CSV row
  inserted as strings by one prepared INSERT (``executemany``). The import, its repeat
  and both ``--complete`` runs show their time as "x COPY".
- the check's **bare-SQL floor**: one plain query per table reading every column the
  check needs, fetched to the end, no Python work; the check shows "x floor".

Each command runs in a fresh process (bench/measure.py), so its peak memory is its own.
The schema is migrated before each run (by the owner), not by the first command.

On PostgreSQL the commands run, by default, as the service's application role with
exactly its rights: each run makes a throwaway database with deploy/roles.sql itself
(psql, as the superuser of --postgres; roles bench_owner_<pid> and bench_app_<pid>),
migrates it as the owner, runs roles.sql again, and connects as the app role (the
import refreshes the planner's statistics itself, through migration 0015's function, and
that is in its time). The database and the roles are dropped at the end.
``--no-as-app-role``: run as the --postgres user in a schema of its own
(bench_<pid>), as before. ``--keep``: leave the last run's PostgreSQL database (or
schema) and roles in place, whether the run ends well or not, and print how to reach
them: a step can then be measured again on it by hand (bench/measure.py) without
importing 10,000,000 pupils again. Drop them afterwards as the message says.

``--bundle DIR`` keeps the generated bundle (and its smaller copy, DIR-smaller) for the
next run: a 10,000,000-pupil bundle takes minutes to make. If DIR exists it is used as
it is (``transport generate --pupils N --out DIR`` makes one) and its pupils.csv gives
the size.

Prints a table per database and, last, one JSON line with every figure (median of the
runs; peak memory is the largest).
"""

from __future__ import annotations

import argparse
import atexit
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
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
# The steps measured against the COPY floor, and the one against the bare-SQL floor.
AGAINST_COPY = ("import", "reimport", "complete", "complete_removing")
AGAINST_FLOOR = ("check",)
# The files --complete applies to; the share of each that the smaller bundle drops.
REMOVED_FROM = ("pupils", "awards", "applications", "arrangements")
DROPPED = 100  # one row in this many
ROLES_SQL = ROOT / "deploy" / "roles.sql"
NULL = "\\N"  # a NULL in the SQLite dump (bench/copy_floor.py reads it back)


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
    """The check's bare-SQL floor: one plain query per table reading every column the
    check needs, fetched to the end."""
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
    return time.perf_counter() - started


def count_rows(url: str, table: str) -> int:
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
    out.mkdir(mode=0o700)
    gone: set[str] = set()
    removed = dict.fromkeys(REMOVED_FROM, 0)
    kept = 0
    for path in sorted(bundle.glob("*.csv"), key=lambda p: p.name != "pupils.csv"):
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


# The bundle -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bundles:
    bundle: Path
    smaller: Path
    pupils: int
    rows: int
    smaller_rows: int
    removed: dict[str, int]


def data_rows(path: Path) -> int:
    """Rows of a CSV file the generator wrote (one a line, no line breaks in a value)."""
    with path.open("rb") as lines:
        return sum(1 for _ in lines) - 1


def prepare_bundles(
    folder: Path, keep: Path | None, pupils: int | None, seed: int, smaller_too: bool = True
) -> Bundles:
    """The bundle and its smaller copy: made in ``folder``, or kept at ``keep`` (and
    ``keep``-smaller) from one run to the next, with their figures beside them. Without
    ``smaller_too`` (no step uses it) the smaller copy is not made: at 10,000,000 pupils
    it takes minutes."""
    from transport.synthetic import generate_bundle

    bundle = keep or folder / "bundle"
    smaller = bundle.with_name(bundle.name + "-smaller")
    figures_file = bundle.with_name(bundle.name + "-figures.json")
    if keep is not None and bundle.exists():
        found = data_rows(bundle / "pupils.csv")
        if pupils is not None and pupils != found:
            raise SystemExit(f"{bundle} holds {found} pupils, not {pupils}")
        pupils = found
        print(f"using the bundle in {bundle} ({pupils:,} pupils)", file=sys.stderr)
        if not smaller_too:
            rows = sum(data_rows(path) for path in bundle.glob("*.csv"))
            return Bundles(bundle, smaller, pupils, rows, 0, {})
        if figures_file.exists() and smaller.exists():
            kept = json.loads(figures_file.read_text())
            if kept["pupils"] == pupils:
                return Bundles(bundle, smaller, pupils, kept["rows"], kept["smaller_rows"],
                               kept["removed"])  # fmt: skip
        rows = sum(data_rows(path) for path in bundle.glob("*.csv"))
    else:
        pupils = 100_000 if pupils is None else pupils
        started = time.perf_counter()
        # Made beside it and renamed, so that a run stopped half-way leaves no bundle.
        partial = bundle.with_name(bundle.name + "-partial")
        shutil.rmtree(partial, ignore_errors=True)
        rows = sum(generate_bundle(partial, pupils=pupils, seed=seed, year=2026).values())
        partial.rename(bundle)
        print(f"generated {pupils:,} pupils in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)  # fmt: skip
        if not smaller_too:
            return Bundles(bundle, smaller, pupils, rows, 0, {})
    shutil.rmtree(smaller, ignore_errors=True)
    figures_file.unlink(missing_ok=True)
    removed, smaller_rows = drop_slice(bundle, smaller)
    if keep is not None:
        kept = {"pupils": pupils, "rows": rows, "smaller_rows": smaller_rows, "removed": removed}
        figures_file.write_text(json.dumps(kept))
    return Bundles(bundle, smaller, pupils, rows, smaller_rows, removed)


# Databases ------------------------------------------------------------------------------


def fresh_database(kind: str, folder: Path, pg_url: str | None, n: int) -> str:
    """An empty database for the other bench scripts (dispatch.py, retention.py): a SQLite
    file, or a PostgreSQL schema of this process's own (dropped at exit), unmigrated."""
    if kind == "sqlite":
        path = folder / f"bench-{n}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    assert pg_url is not None
    # A schema of this process's own, so two benchmark runs never touch each other's.
    schema = f"bench_{os.getpid()}"
    run_sql(pg_url, f"DROP SCHEMA IF EXISTS {schema} CASCADE", f"CREATE SCHEMA {schema}")
    atexit.register(drop_schema, pg_url, schema)
    return with_search_path(pg_url, schema)


def drop_schema(pg_url: str, schema: str) -> None:
    run_sql(pg_url, f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def with_search_path(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def as_user(server: str, user: str, database: str) -> str:
    """``server``'s URL for another role and database (no password: trust on 127.0.0.1)."""
    from sqlalchemy.engine import make_url

    url = make_url(server).set(username=user, password=None, database=database)
    return url.render_as_string(hide_password=False)


def migrate(url: str) -> None:
    from transport.db.engine import make_engine
    from transport.db.schema import upgrade

    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


def run_sql(url: str, *statements: str, autocommit: bool = False) -> None:
    from sqlalchemy import text

    from transport.db.engine import make_engine

    engine = make_engine(url)
    if autocommit:
        engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


@dataclass
class Database:
    """Where one run's commands work: ``url`` (as the app role, or the --postgres user),
    ``owner`` (migrations, ANALYZE), ``admin`` (a superuser's URL to the same database, for
    the COPY floor's schema)."""

    kind: str
    url: str
    owner: str
    admin: str
    role: str | None = None


class PostgreSQL:
    """This process's throwaway PostgreSQL places: a schema in --postgres's database, or
    (as the app role) a database made by deploy/roles.sql, with its two roles."""

    def __init__(self, server: str, *, as_app_role: bool, keep: bool = False) -> None:
        self.server, self.as_app_role = server, as_app_role
        pid = os.getpid()
        self.schema, self.database = f"bench_{pid}", f"bench_{pid}"
        self.owner, self.app = f"bench_owner_{pid}", f"bench_app_{pid}"
        self.last: Database | None = None
        atexit.register(self.kept if keep else self.drop)

    def fresh(self) -> Database:
        if not self.as_app_role:
            run_sql(self.server, f"DROP SCHEMA IF EXISTS {self.schema} CASCADE",
                    f"CREATE SCHEMA {self.schema}")  # fmt: skip
            url = with_search_path(self.server, self.schema)
            migrate(url)
            self.last = Database("postgresql", url, url, url)
            return self.last
        self.drop_database()
        self.roles_sql()  # the roles and the database, as an operator makes them
        owner = as_user(self.server, self.owner, self.database)
        migrate(owner)
        self.roles_sql()  # again once the tables exist (the audit log's rights)
        app = as_user(self.server, self.app, self.database)
        admin = as_user(self.server, self.admin_user, self.database)
        self.last = Database("postgresql", app, owner, admin, self.app)
        return self.last

    def kept(self) -> None:
        """--keep: say where the last run's database is, and how to drop it."""
        if self.last is None:
            return
        print(f"kept (--keep): TRANSPORT_DATABASE_URL={self.last.url}", file=sys.stderr)
        if self.as_app_role:
            print(f'drop it with: DROP DATABASE "{self.database}"; '
                  f'DROP ROLE "{self.app}", "{self.owner}";', file=sys.stderr)  # fmt: skip
        else:
            print(f"drop it with: DROP SCHEMA {self.schema} CASCADE;", file=sys.stderr)

    @property
    def admin_user(self) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.server).username or "postgres"

    def roles_sql(self) -> None:
        from sqlalchemy.engine import make_url

        psql = shutil.which("psql")
        if psql is None:
            raise SystemExit("running as the app role needs psql (or pass --no-as-app-role)")
        server = make_url(self.server)
        done = subprocess.run(
            [psql, "-X", "-q", "-h", server.host or "127.0.0.1", "-p", str(server.port or 5432),
             "-U", self.admin_user, "-d", server.database or "postgres",
             "-v", f"owner={self.owner}", "-v", f"app={self.app}",
             "-v", f"database={self.database}", "-f", str(ROLES_SQL)],
            capture_output=True, text=True,
            env={**os.environ, "PGPASSWORD": server.password or ""},
        )  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(f"deploy/roles.sql failed: {done.stderr.strip()}")

    def drop_database(self) -> None:
        run_sql(self.server, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)',
                autocommit=True)  # fmt: skip

    def drop(self) -> None:
        if self.as_app_role:
            self.drop_database()
            run_sql(self.server, f'DROP ROLE IF EXISTS "{self.app}", "{self.owner}"',
                    autocommit=True)  # fmt: skip
        else:
            run_sql(self.server, f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")


def fresh_sqlite(folder: Path, name: str) -> str:
    path = folder / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    migrate(url)
    return url


# The COPY floor -------------------------------------------------------------------------


def dump_tables(url: str, folder: Path) -> int:
    """Every table the import filled, as the table holds it, into ``folder`` (one CSV file
    each, and manifest.json: the tables in the order their keys need, with their columns).
    Returns the rows written."""
    from transport.db.engine import make_engine
    from transport.db.tables import Base

    folder.mkdir(mode=0o700)
    engine = make_engine(url)
    raw = engine.raw_connection()
    connection: Any = raw.driver_connection
    cursor = connection.cursor()
    tables: list[tuple[str, list[str]]] = []
    total = 0
    try:
        for table in Base.metadata.sorted_tables:
            columns = [column.name for column in table.columns]
            names = ", ".join(f'"{c}"' for c in columns)
            target = folder / f"{table.name}.csv"
            if engine.dialect.name == "postgresql":
                with (
                    target.open("wb") as out,
                    cursor.copy(f'COPY "{table.name}" ({names}) TO STDOUT (FORMAT csv)') as copy,
                ):
                    for block in copy:
                        out.write(block)
                rows = cursor.rowcount
            else:
                rows = 0
                cursor.execute(f'SELECT {names} FROM "{table.name}"')
                with target.open("w", newline="", encoding="utf-8") as out:
                    writer = csv.writer(out)
                    for row in cursor:
                        writer.writerow([NULL if value is None else value for value in row])
                        rows += 1
            if rows:
                tables.append((table.name, columns))
                total += rows
            else:
                target.unlink()
    finally:
        cursor.close()
        raw.close()
        engine.dispose()
    (folder / "manifest.json").write_text(json.dumps(tables))
    return total


def copy_floor(database: Database, folder: Path, run: int) -> dict[str, Any]:
    """Dump what the import wrote, then time writing it into a fresh schema (dropped after)."""
    dumped = folder / f"tables-{run}"
    shutil.rmtree(dumped, ignore_errors=True)
    rows = dump_tables(database.url, dumped)
    if database.kind == "sqlite":
        target = fresh_sqlite(folder, f"copy-floor-{run}")
    else:
        schema = f"bench_copy_{os.getpid()}"
        run_sql(database.admin, f"DROP SCHEMA IF EXISTS {schema} CASCADE",
                f"CREATE SCHEMA {schema}")  # fmt: skip
        target = with_search_path(database.admin, schema)
        migrate(target)
    try:
        done = subprocess.run(
            [sys.executable, str(HERE / "copy_floor.py"), "--database", target,
             "--tables", str(dumped)],
            cwd=ROOT, check=True, capture_output=True, text=True,
        )  # fmt: skip
    finally:
        shutil.rmtree(dumped, ignore_errors=True)
        if database.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target.removeprefix('sqlite:///')}{suffix}").unlink(missing_ok=True)
        else:
            run_sql(database.admin, f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if figures["rows"] != rows:
        raise SystemExit(f"the COPY floor wrote {figures['rows']} rows of the {rows} dumped")
    return figures


# The table ------------------------------------------------------------------------------


def figure(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return ""
    if isinstance(value, int) or digits == 0:
        return f"{round(value):,}"
    return f"{value:,.{digits}f}"


def print_table(kind: str, bundles: Bundles, results: list[dict[str, Any]], role: str | None,
                analyze: list[float]) -> None:  # fmt: skip
    runs = max((r["runs"] for r in results), default=0)
    who = f"commands as {role}, deploy/roles.sql's application role" if role else ""
    print(f"\n{kind}: {bundles.pupils:,} pupils, {bundles.rows:,} rows in the bundle, "
          f"{runs} run{'s' if runs != 1 else ''} (median; peak memory the largest)"
          + (f"; {who}" if who else ""))  # fmt: skip
    print(f"  {'':<20}{'rows':>12}{'wall s':>10}{'cpu s':>9}{'rows/s':>11}{'peak MB':>9}"
          f"   {'beside its floor'}")  # fmt: skip
    for r in results:
        beside = ""
        if r.get("x_copy") is not None and r["command"] in AGAINST_COPY:
            beside = f"{r['x_copy']:.1f}x COPY"
        elif r["command"] in AGAINST_FLOOR:
            beside = f"{r['x_baseline']:.1f}x floor"
        label = {"copy floor": "COPY floor", "baseline query": "bare-SQL floor"}.get(
            r["command"], r["command"]
        )
        print(f"  {label:<20}{figure(r['rows']):>12}{figure(r['wall_s']):>10}"
              f"{figure(r['cpu_s']):>9}{figure(r['rows_per_s'], 0):>11}"
              f"{figure(r['peak_rss_mb'], 0):>9}   {beside}".rstrip())  # fmt: skip
    for r in results:
        if r["command"] == "copy floor":
            tables = ", ".join(f"{name} {rows:,}" for name, rows in r["tables"].items())
            print(f"  the COPY floor wrote what the import did: {tables}")
    if analyze:
        print(f"  ANALYZE as the owner after the first import (not in any figure): "
              f"{statistics.median(analyze):.2f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pupils", type=int, help="the county's size (default 100000)")
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
    parser.add_argument(
        "--bundle",
        type=Path,
        help="keep the bundle here between runs: used as it is if it exists, made here if not",
    )
    parser.add_argument(
        "--as-app-role",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="PostgreSQL: run the commands as deploy/roles.sql's application role "
        "(a throwaway database and roles; needs psql and a superuser) (default: on)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="PostgreSQL: keep the last run's database and roles, and print how to reach "
        "and drop them",
    )
    args = parser.parse_args()
    unknown = sorted(set(args.steps) - set(STEPS))
    if unknown:
        parser.error(f"unknown steps: {', '.join(unknown)}")
    steps = {name: command for name, command in STEPS.items() if name in args.steps}

    results: list[dict[str, Any]] = []
    forecasts: dict[str, dict[str, Any]] = {}
    roles: dict[str, str | None] = {}
    analyzed: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        folder = Path(tmp)
        bundles = prepare_bundles(
            folder, args.bundle, args.pupils, args.seed, "complete_removing" in steps
        )
        paths = {"{bundle}": str(bundles.bundle), "{smaller}": str(bundles.smaller)}
        kinds = [args.only] if args.only else ["sqlite", "postgresql"]
        for kind in kinds:
            figures: dict[str, list[dict[str, Any]]] = {name: [] for name in steps}
            base: list[float] = []
            floors: list[dict[str, Any]] = []
            shares: list[dict[str, Any]] = []
            analyze: list[float] = []
            server = (
                PostgreSQL(args.postgres, as_app_role=args.as_app_role, keep=args.keep)
                if kind == "postgresql"
                else None
            )
            for run in range(args.runs):
                if server is None:
                    database = Database(
                        kind, url := fresh_sqlite(folder, f"bench-{bundles.pupils}"), url, url
                    )
                else:
                    database = server.fresh()
                url = database.url
                for name, command in steps.items():
                    argv = [paths.get(part, part) for part in command]
                    before = table_counts(url) if name == "complete_removing" else {}
                    figures[name].append(measure(url, *argv))
                    if name == "import":
                        floors.append(copy_floor(database, folder, run))
                    if name == "check":
                        shares.append(forecast_share(url))
                    if before:
                        after = table_counts(url)
                        gone = {t: before[t] - after[t] for t in REMOVED_FROM}
                        if gone != bundles.removed:
                            raise SystemExit(
                                f"--complete removed {gone}, expected {bundles.removed}"
                            )
                base.append(baseline(url))
                assessed = count_rows(url, "application_assessments")
            roles[kind] = database.role
            if analyze:
                analyzed[kind] = round(statistics.median(analyze), 2)
            floor = statistics.median(base)
            copied = statistics.median(f["wall_s"] for f in floors) if floors else None
            if shares:
                check_s = statistics.median(f["check_s"] for f in shares)
                forecast_s = statistics.median(f["forecast_s"] for f in shares)
                forecasts[kind] = {
                    "check_s": check_s,
                    "forecast_s": forecast_s,
                    "forecast_share_of_check": round(forecast_s / check_s, 4),
                    "runs": len(shares),
                }
            these: list[dict[str, Any]] = []
            if copied is not None:
                these.append(
                    {
                        "database": kind,
                        "command": "copy floor",
                        "pupils": bundles.pupils,
                        "rows": floors[0]["rows"],
                        "wall_s": round(copied, 2),
                        "cpu_s": round(statistics.median(f["cpu_s"] for f in floors), 2),
                        "rows_per_s": round(floors[0]["rows"] / copied),
                        "peak_rss_mb": round(max(f["peak_rss_mb"] for f in floors)),
                        "x_baseline": None,
                        "x_copy": 1.0,
                        "tables": floors[0]["tables"],
                        "runs": len(floors),
                    }
                )
            for name, runs in figures.items():
                wall = statistics.median(r["wall_s"] for r in runs)
                count = {
                    "import": bundles.rows,
                    "reimport": bundles.rows,
                    "complete": bundles.rows,
                    "complete_removing": bundles.smaller_rows,
                    "assess": assessed,
                }.get(name, bundles.pupils)
                these.append(
                    {
                        "database": kind,
                        "command": name,
                        "pupils": bundles.pupils,
                        "rows": count,
                        "wall_s": round(wall, 2),
                        "cpu_s": round(statistics.median(r["cpu_s"] for r in runs), 2),
                        "rows_per_s": round(count / wall),
                        "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs)),
                        "x_baseline": round(wall / floor, 1),
                        "x_copy": round(wall / copied, 1)
                        if copied and name in AGAINST_COPY
                        else None,
                        "runs": len(runs),
                    }
                )
                if name == "check":
                    these.append(floor_row(kind, bundles.pupils, floor, len(base)))
            if "check" not in figures:
                these.append(floor_row(kind, bundles.pupils, floor, len(base)))
            results += these
            print_table(kind, bundles, these, database.role, analyze)

    for kind, f in forecasts.items():
        print(
            f"{kind}: the forecast adds {f['forecast_share_of_check']:.1%} to the check "
            f"({f['forecast_s']} s to its {f['check_s']} s, in one process)"
        )
    if "complete_removing" in steps:
        print(f"import --complete of the smaller bundle: {bundles.removed} (pupils: made left)")
    print(
        json.dumps(
            {
                "machine": f"{os.cpu_count()} cores",
                "bundle_rows": bundles.rows,
                "removed_by_complete": bundles.removed,
                "as_app_role": roles,
                "analyze_as_owner_s": analyzed,
                "forecast": forecasts,
                "results": results,
            }
        )
    )


def floor_row(kind: str, pupils: int, floor: float, runs: int) -> dict[str, Any]:
    return {
        "database": kind,
        "command": "baseline query",
        "pupils": pupils,
        "rows": pupils,
        "wall_s": round(floor, 2),
        "cpu_s": None,
        "rows_per_s": None,
        "peak_rss_mb": None,
        "x_baseline": 1.0,
        "x_copy": None,
        "runs": runs,
    }


if __name__ == "__main__":
    main()
