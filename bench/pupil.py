"""Benchmark `transport pupil REF` (one child's story) on a database that holds a county:
the command as a fresh process (what a person waits for), and the story alone once the
libraries are loaded (what the database and the code cost).

    .venv/bin/python bench/pupil.py --database sqlite:////tmp/b1m.db --runs 10 [REF ...]

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
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 8, 26)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("refs", nargs="*", default=["P0000046", "P0500000", "P0999999"])
    args = parser.parse_args()
    env = {**os.environ, "TRANSPORT_DATABASE_URL": args.database, "TRANSPORT_CONFIG": ""}
    command = [str(ROOT / ".venv" / "bin" / "transport"), "pupil"]
    walls: list[float] = []
    for run in range(args.runs):
        ref = args.refs[run % len(args.refs)]
        started = time.perf_counter()
        subprocess.run(
            [*command, ref, "--as-of", AS_OF.isoformat()],
            env=env, stdout=subprocess.DEVNULL, check=True,
        )  # fmt: skip
        walls.append(time.perf_counter() - started)

    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from services.app import build
    from services.pupil import pupil_story
    from transport.config import load_config

    app = build(load_config(), interactive=True)
    app.may_create = False
    pupil_story(app, args.refs[0], as_of=AS_OF)  # warm: schema checked, statements compiled
    stories: list[float] = []
    for run in range(args.runs):
        started = time.perf_counter()
        pupil_story(app, args.refs[run % len(args.refs)], as_of=AS_OF)
        stories.append(time.perf_counter() - started)
    figures = {
        "command_wall_s": round(statistics.median(walls), 3),
        "story_s": round(statistics.median(stories), 4),
        "runs": args.runs,
    }
    print(f"{'measure':<40} {'median s':>9}")
    print(f"{'transport pupil REF (fresh process)':<40} {figures['command_wall_s']:>9}")
    print(f"{'the story alone (libraries loaded)':<40} {figures['story_s']:>9}")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
