"""Benchmark `transport find TEXT` and a reference given in another case (`transport pupil
p0000046`) on a database that holds a county: each command as a fresh process (what a
person waits for), and the search alone once the libraries are loaded.

    .venv/bin/python bench/find.py --database sqlite:////tmp/b1m.db --runs 5

The database must hold an imported county (`transport generate` then `transport import`).
Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def searches(database: str) -> dict[str, str]:
    """What a caller might say, taken from the county itself: a surname, a first name and
    surname, a postcode and its outward code, a parent's email and number, a reference in
    lower case, a school, and a misspelt surname (nothing found: "did you mean")."""
    os.environ.update({"TRANSPORT_DATABASE_URL": database, "TRANSPORT_CONFIG": ""})
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, select

    from transport.db.engine import make_engine
    from transport.db.tables import Contact, Pupil, School

    engine = make_engine(database)
    with engine.connect() as conn:
        child = conn.execute(
            select(Pupil.pupil_ref, Pupil.first_name, Pupil.last_name, Pupil.home_postcode)
            .where(Pupil.home_postcode.is_not(None))
            .order_by(Pupil.pupil_ref)
            .offset(conn.execute(select(func.count()).select_from(Pupil)).scalar_one() // 2)
            .limit(1)
        ).one()
        contact = conn.execute(
            select(Contact.email, Contact.mobile)
            .where(Contact.email.is_not(None), Contact.mobile.is_not(None))
            .limit(1)
        ).one()
        school = conn.execute(select(School.name).limit(1)).scalar_one()
    engine.dispose()
    ref, first, last, postcode = child
    postcode = str(postcode)
    return {
        "surname": last,
        "first and surname": f"{first} {last}",
        "postcode": postcode,
        "outward code": postcode.split()[0],
        "email": contact.email,
        "number": contact.mobile,
        "reference, lower case": ref.lower(),
        "school": school,
        "misspelt surname": last[:3] + last[4:] + "x",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    texts = searches(args.database)
    env = {**os.environ, "TRANSPORT_DATABASE_URL": args.database, "TRANSPORT_CONFIG": ""}
    transport = str(ROOT / ".venv" / "bin" / "transport")

    from services.app import build
    from services.find import find_children
    from transport.config import load_config

    app = build(load_config(), interactive=True)
    app.may_create = False
    find_children(app, "warm")  # schema checked, statements compiled
    rows = []
    for what, text in texts.items():
        walls, alone = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            subprocess.run([transport, "find", text], env=env, stdout=subprocess.DEVNULL)
            walls.append(time.perf_counter() - started)
            started = time.perf_counter()
            result = find_children(app, text)
            alone.append(time.perf_counter() - started)
        rows.append(
            {
                "search": what,
                "found": len(result.matches),
                "command_wall_s": round(statistics.median(walls), 3),
                "search_s": round(statistics.median(alone), 4),
            }
        )
    lower = texts["reference, lower case"]
    walls = []
    for _ in range(args.runs):
        started = time.perf_counter()
        subprocess.run([transport, "pupil", lower], env=env, stdout=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - started)
    rows.append(
        {
            "search": f"transport pupil {lower}",
            "found": 1,
            "command_wall_s": round(statistics.median(walls), 3),
            "search_s": None,
        }
    )
    app.close()
    print(f"{'search':<30} {'found':>5} {'command (s)':>12} {'search alone (s)':>17}")
    for row in rows:
        took = "" if row["search_s"] is None else f"{row['search_s']:.4f}"
        print(f"{row['search']:<30} {row['found']:>5} {row['command_wall_s']:>12.3f} {took:>17}")
    print(json.dumps({"database": args.database.split("///")[-1], "runs": args.runs, "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
