"""Benchmark `transport simulate` over a whole season: from 1 May to the last first day
of the September term (7 September 2026 in the synthetic county), with a 30% reply rate,
the council at its measured pace, as a fresh process. Times the default (the season with
the reminders and without them) and `--no-reminders` (one run).

    .venv/bin/python bench/simulate.py --pupils 100000 [--runs 1]
    .venv/bin/python bench/simulate.py --database sqlite:////tmp/b100k.db

Without --database it generates a county of --pupils and imports it into a temporary
SQLite database. Prints a table (wall time, CPU time, peak memory) and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEASON = ["--from", "2026-05-01", "--to", "2026-09-07", "--reply-rate", "0.3"]
COMMANDS = {
    "simulate (with and without reminders)": [*SEASON, "--format", "json"],
    "simulate --no-reminders": [*SEASON, "--no-reminders", "--format", "json"],
}


def transport(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def measured(env: dict[str, str], args: list[str], folder: Path) -> dict[str, Any]:
    out = folder / "measure.json"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "measure.py"), str(out), "--", "simulate", *args],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures: dict[str, Any] = json.loads(out.read_text())
    assert figures["exit_code"] == 0, figures
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": figures["wall_s"], "cpu_s": cpu, "peak_rss_mb": figures["peak_rss_mb"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pupils", type=int, default=100_000)
    parser.add_argument("--database", help="a database holding a county (skips the import)")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-simulate-") as tmp:
        folder = Path(tmp)
        url = args.database or f"sqlite:///{folder / 'county.db'}"
        env = {**os.environ, "TRANSPORT_DATABASE_URL": url, "TRANSPORT_CONFIG": ""}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        if not args.database:
            bundle = folder / "bundle"
            transport(env, "generate", "--out", str(bundle), "--pupils", str(args.pupils))
            transport(env, "import", str(bundle))
        for name, command in COMMANDS.items():
            runs = [measured(env, command, folder) for _ in range(args.runs)]
            results.append(
                {
                    "command": name,
                    "runs": args.runs,
                    "wall_s": round(statistics.median(r["wall_s"] for r in runs), 2),
                    "cpu_s": round(statistics.median(r["cpu_s"] for r in runs), 2),
                    "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs)),
                }
            )
    print(f"{'command':<40}{'runs':>5}{'wall s':>9}{'cpu s':>9}{'peak MB':>9}")
    for r in results:
        print(
            f"{r['command']:<40}{r['runs']:>5}{r['wall_s']:>9}{r['cpu_s']:>9}{r['peak_rss_mb']:>9}"
        )
    print(json.dumps({"machine": f"{os.cpu_count()} cores", "results": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
