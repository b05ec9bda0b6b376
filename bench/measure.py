"""Run one `transport` command in this process and report its wall time and peak memory.

    python bench/measure.py OUT.json -- import /tmp/bundle

Writes {"argv": [...], "exit_code": N, "wall_s": X, "cpu_s": C, "peak_rss_mb": Y} to
OUT.json. ``cpu_s`` is this process's own CPU time (user and system): on a machine shared
with other work it stays near the wall time the command would take alone, where the wall
time grows with the contention (on PostgreSQL the server's own work is not in it).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def main() -> None:
    out, separator, *argv = sys.argv[1:]
    assert separator == "--", "usage: measure.py OUT.json -- ARGS..."
    sys.argv = ["transport", *argv]
    started = time.perf_counter()
    from cli import app  # imported inside the timing, as a user's command would be

    code = 0
    try:
        app(standalone_mode=False)
    except SystemExit as exc:
        code = int(exc.code or 0)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime
    Path(out).write_text(
        json.dumps(
            {"argv": argv, "exit_code": code, "wall_s": wall, "cpu_s": cpu, "peak_rss_mb": peak_mb}
        )
    )


if __name__ == "__main__":
    main()
