"""Benchmark `transport retention apply` on a generated county that has lived a few years:
a share of its pupils left over the last four years (about half of them more than two
years ago), a message history of three years (most older than 400 days), a reminder step
a pupil, tasks and risk snapshots, some of them about the leavers.

    python bench/retention.py --pupils 1000000 [--only sqlite|postgresql] [--left-share 0.1]

The county is imported with `transport import` (timed, for reference); the history is
then written directly in SQL. Timed, each as a fresh process (bench/measure.py): the
dry run, the first run (the catch-up: everything older than the rule at once), the same
run again (nothing to do), and the next night (one day's worth). Prints a table and,
last, one JSON line with every figure and the counts of the first run.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
AS_OF = date(2026, 8, 26)
NEXT_NIGHT = AS_OF + timedelta(days=1)
CHUNK = 20_000
TEXT = (
    "Dear parent or carer, your child's school transport ends on 31 August. Apply now at "
    "https://www.council.example/school-transport/apply so that transport is in place on "
    "the first day of term. If you have already applied, thank you: you need do nothing. "
) * 2
HTML = f"<html><body><p>{TEXT}</p><p>Call 0300 123 4567 with any question.</p></body></html>"


def measure(url: str, work: Path, *args: str) -> dict[str, Any]:
    """One command in a fresh process, in ``work`` (its file outbox is work/outbox)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        env = {**os.environ, "TRANSPORT_DATABASE_URL": url, "TRANSPORT_CONFIG": ""}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        done = subprocess.run(
            [sys.executable, str(HERE / "measure.py"), out.name, "--", *args],
            env=env, cwd=work, check=True, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        result: dict[str, Any] = json.loads(Path(out.name).read_text())
    if result["exit_code"] not in (0, 1):
        raise SystemExit(f"{args} failed with exit code {result['exit_code']}")
    result["stdout"] = done.stdout
    return result


def chunks(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def history(url: str, *, left_share: float, seed: int) -> dict[str, int]:
    """Write the county's past: leavers, messages, steps, tasks, snapshots."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import bindparam, select, update

    from transport.db.engine import make_engine, refresh_statistics, writer
    from transport.db.tables import (
        CheckRun,
        OutboxMessage,
        Pupil,
        PupilContact,
        ReminderStep,
        RiskSnapshot,
        Task,
        table_of,
    )
    from transport.imports.upsert import insert_rows

    rng = random.Random(seed)
    engine = make_engine(url)
    made: dict[str, int] = {}
    with writer(engine).begin() as conn:
        pg = conn.dialect.name == "postgresql"

        def js(value: Any) -> Any:  # COPY takes JSON as text
            return json.dumps(value) if pg else value

        refs = list(conn.execute(select(Pupil.pupil_ref).order_by(Pupil.pupil_ref)).scalars())
        contact_of = dict(
            conn.execute(
                select(PupilContact.pupil_ref, PupilContact.contact_id).order_by(
                    PupilContact.id.desc()
                )
            ).all()
        )
        leavers = [
            {"r": ref, "d": AS_OF - timedelta(days=rng.randrange(4 * 365))}
            for ref in refs
            if rng.random() < left_share
        ]
        stmt = (
            update(Pupil)
            .where(Pupil.pupil_ref == bindparam("r"))
            .values(status="left", left_on=bindparam("d"))
        )
        for chunk in chunks(leavers):
            conn.execute(stmt, chunk)
        made["leavers"] = len(leavers)

        def messages() -> Iterator[dict[str, Any]]:
            n = 0
            for ref in refs:
                contact = contact_of.get(ref)
                if contact is None:
                    continue
                for _ in range(1 + (rng.random() < 0.5)):
                    n += 1
                    at = datetime.combine(
                        AS_OF - timedelta(days=rng.randrange(3 * 365)),
                        datetime.min.time(),
                        tzinfo=UTC,
                    ) + timedelta(hours=18)
                    yield {
                        "dedupe_key": f"bench:{n}", "kind": "renewal_invite", "step": "invite",
                        "channel": "email", "contact_id": contact,
                        "to_address": f"parent{contact}@example.org", "pupil_refs": js([ref]),
                        "academic_year": 2025, "subject": "Apply for school transport",
                        "body_text": TEXT, "body_html": HTML,
                        "context": js({"contact_name": "A Parent", "children": [ref]}),
                        "status": "sent", "attempts": 1, "next_attempt_at": at,
                        "created_at": at, "updated_at": at, "sent_at": at,
                    }  # fmt: skip

        made["outbox"] = 0
        for chunk in chunks(messages()):
            insert_rows(conn, table_of(OutboxMessage), chunk)
            made["outbox"] += len(chunk)
        now = datetime.combine(AS_OF, datetime.min.time(), tzinfo=UTC)

        def steps() -> Iterator[dict[str, Any]]:
            for ref in refs:
                yield {
                    "pupil_ref": ref, "academic_year": 2025, "step": "invite",
                    "outcome": "sent", "on_date": date(2025, 5, 26),
                    "uncovered_from": date(2025, 9, 3), "created_at": now,
                }  # fmt: skip

        for chunk in chunks(steps()):
            insert_rows(conn, table_of(ReminderStep), chunk)
        made["reminder_steps"] = len(refs)
        tasks = [
            {
                "kind": "phone_family",
                "pupil_ref": ref,
                "academic_year": 2025,
                "reason": "no usable contact",
                "status": "done",
                "opened_on": date(2025, 8, 6),
                "opened_at": now,
            }
            for ref in refs[::10]
        ]
        for chunk in chunks(tasks):
            insert_rows(conn, table_of(Task), chunk)
        made["tasks"] = len(tasks)
        made["risk_snapshots"] = 0
        for night in range(10):
            run_id = conn.execute(
                table_of(CheckRun)
                .insert()
                .values(
                    run_at=now,
                    as_of=AS_OF - timedelta(days=400 + night),
                    horizon_days=120,
                    in_scope=len(refs),
                    at_risk=len(refs) // 20,
                    counts={},
                )
                .returning(table_of(CheckRun).c.id)
            ).scalar_one()
            snaps = [
                {
                    "run_id": run_id,
                    "pupil_ref": ref,
                    "risk_date": date(2025, 9, 3),
                    "severity": "high",
                    "reasons": "NO_APPLICATION",
                }
                for ref in refs[night::20]
            ]
            for chunk in chunks(snaps):
                insert_rows(conn, table_of(RiskSnapshot), chunk)
            made["risk_snapshots"] += len(snaps)
        refresh_statistics(
            conn, ["pupils", "outbox", "reminder_steps", "tasks", "risk_snapshots", "check_runs"]
        )
    engine.dispose()
    return made


def timed_runs(url: str, work: Path) -> dict[str, dict[str, Any]]:
    apply = ["retention", "apply", "--format", "json", "--by", "bench"]
    return {
        "dry run": measure(url, work, *apply, "--as-of", str(AS_OF), "--dry-run"),
        "first run": measure(url, work, *apply, "--as-of", str(AS_OF)),
        "again": measure(url, work, *apply, "--as-of", str(AS_OF)),
        "next night": measure(url, work, *apply, "--as-of", str(NEXT_NIGHT)),
    }


def summary(figures: dict[str, dict[str, Any]]) -> dict[str, Any]:
    reports = {name: json.loads(f["stdout"]) for name, f in figures.items() if name != "import"}
    dry, first = reports["dry run"], reports["first run"]
    return {
        "first_run": {
            "messages_redacted": first["messages_redacted"],
            "pupils_purged": first["purged"]["pupils"],
            "rows_deleted": first["purged"]["rows"],
        },
        "again_changes": reports["again"]["changes"],
        "next_night_changes": reports["next night"]["changes"],
        "dry_run_equals_first": dry["purged"] == first["purged"]
        and dry["messages_redacted"] == first["messages_redacted"],
    }


def pupils_in(url: str) -> int:
    """How many pupils the county at ``url`` holds (every status)."""
    from sqlalchemy import text

    sys.path.insert(0, str(ROOT))
    from transport.db.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        count = int(conn.execute(text("SELECT count(*) FROM pupils")).scalar_one())
    engine.dispose()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pupils", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--left-share", type=float, default=0.1)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument(
        "--prepared",
        metavar="URL",
        help="Only the timed runs, on a database an earlier run prepared (imported county "
        "and history written, nothing applied yet): the 1M setup takes long.",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="Prepare the county (SQLite: in DIR) and stop before the timed runs; prints its URL.",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from run import drop_schema, fresh_database  # a fresh SQLite file or PostgreSQL schema

    results: list[dict[str, Any]] = []
    counts: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-retention-") as tmp:
        folder = Path(tmp)
        kinds = [args.only] if args.only else ["sqlite", "postgresql"]
        if args.prepared:
            kinds = ["postgresql" if args.prepared.startswith("postgresql") else "sqlite"]
            args.pupils = pupils_in(args.prepared)  # the prepared county's size, as reported
        for kind in kinds:
            figures: dict[str, dict[str, Any]] = {}
            made: dict[str, Any] = {}
            url = args.prepared
            if url is None:
                bundle = folder / "bundle"
                sys.path.insert(0, str(ROOT))
                from transport.synthetic import generate_bundle

                if not bundle.exists():
                    generate_bundle(bundle, pupils=args.pupils, seed=args.seed, year=2026)
                if args.keep is not None:
                    args.keep.mkdir(parents=True, exist_ok=True)
                    url = fresh_database(kind, args.keep, args.postgres, args.pupils)
                    atexit.unregister(drop_schema)  # a kept schema stays
                else:
                    url = fresh_database(kind, folder, args.postgres, args.pupils)
                figures["import"] = measure(url, folder, "import", str(bundle))
                started = time.perf_counter()
                made = history(url, left_share=args.left_share, seed=args.seed)
                made["setup_s"] = round(time.perf_counter() - started, 1)
                if args.keep is not None:
                    print(json.dumps({"prepared": url, "setup": made}))
                    continue
            figures.update(timed_runs(url, folder))
            counts[kind] = {"setup": made, **summary(figures)}
            for name, f in figures.items():
                results.append(
                    {
                        "database": kind,
                        "command": name,
                        "pupils": args.pupils,
                        "wall_s": round(f["wall_s"], 2),
                        "peak_rss_mb": round(f["peak_rss_mb"]),
                    }
                )
    if args.keep is not None:
        return

    print(f"{'database':<11}{'command':<12}{'pupils':>9}{'wall s':>9}{'peak MB':>9}")
    for r in results:
        print(
            f"{r['database']:<11}{r['command']:<12}{r['pupils']:>9}{r['wall_s']:>9}"
            f"{r['peak_rss_mb']:>9}"
        )
    print(json.dumps({"machine": f"{os.cpu_count()} cores", "results": results, "counts": counts}))


if __name__ == "__main__":
    main()
