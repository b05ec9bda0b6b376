"""Several first commands at once on a fresh database all succeed: the check-and-migrate
runs under a lock (PostgreSQL: an advisory lock in the migration's transaction; SQLite:
the writer lock of BEGIN IMMEDIATE), and the revision is read again once it is held."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from transport.db.engine import make_engine
from transport.db.schema import HEAD, current_revision

ROOT = Path(__file__).resolve().parents[2]
FIRST_COMMAND = """
import sys, time
from transport.db.engine import make_engine
from transport.db.schema import ensure_current
start = float(sys.argv[2])
while time.time() < start:  # all processes go at the same moment
    time.sleep(0.001)
engine = make_engine(sys.argv[1])
ensure_current(engine, auto_migrate=True)
engine.dispose()
"""


def test_three_first_commands_at_once_all_succeed(empty_db_url: str) -> None:
    import time

    start = time.time() + 1.0  # after every interpreter has started
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", FIRST_COMMAND, empty_db_url, str(start)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outcomes = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in processes]

    assert [code for code, _ in outcomes] == [0, 0, 0], "\n".join(err for _, err in outcomes)
    engine = make_engine(empty_db_url)
    try:
        assert current_revision(engine) == HEAD
    finally:
        engine.dispose()
