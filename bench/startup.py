"""Benchmark what a transport officer feels first: `transport --help`, and `transport check`
on the demo county (2,000 pupils), each as a fresh process, wall time from start to exit.

    .venv/bin/python bench/startup.py [--runs 10]

Builds the demo county with `transport demo` in a temporary folder, then times each
command ``--runs`` times. Prints a table (median and fastest) and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEMO_DAY = "2026-08-26"  # the demo county's "late August" (transport/synthetic.py)
COMMANDS: dict[str, list[str]] = {
    "--help": ["--help"],
    "check (demo county)": ["check", "--as-of", DEMO_DAY],
}


def transport() -> list[str]:
    """The console script beside this interpreter, as a user runs it."""
    script = Path(sys.executable).parent / "transport"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from cli import main; main()"]


def timed(argv: list[str], folder: Path) -> float:
    env = {**os.environ, "TRANSPORT_CONFIG": "", "TRANSPORT_DATABASE_URL": ""}
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=folder, env=env, capture_output=True)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{argv} failed: {done.stderr.decode()[-2000:]}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        folder = Path(tmp)
        timed([*transport(), "demo", "--year", "2026"], folder)
        for name, command in COMMANDS.items():
            walls = [timed([*transport(), *command], folder) for _ in range(args.runs)]
            results.append(
                {
                    "command": f"transport {name}",
                    "runs": args.runs,
                    "median_s": round(statistics.median(walls), 3),
                    "fastest_s": round(min(walls), 3),
                }
            )
    print(f"{'command':<34}{'runs':>5}{'median s':>10}{'fastest s':>11}")
    for r in results:
        print(f"{r['command']:<34}{r['runs']:>5}{r['median_s']:>10}{r['fastest_s']:>11}")
    print(json.dumps({"machine": f"{os.cpu_count()} cores", "results": results}))


if __name__ == "__main__":
    main()
