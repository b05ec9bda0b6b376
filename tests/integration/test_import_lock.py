"""One import at a time: two at once both succeed (the second waits); one that waits too
long stops with exit 2 and writes nothing. Real processes, real databases."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from tests.bundles import small_county, write_bundle
from transport.db.engine import writer
from transport.db.locks import IMPORT_LOCK
from transport.db.tables import Pupil

ROOT = Path(__file__).resolve().parents[2]


def cli(db_url: str, tmp_path: Path, *args: str, config: Path | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRANSPORT_")}
    env |= {
        "TRANSPORT_DATABASE_URL": db_url,
        "TRANSPORT_CONFIG": str(config or ""),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "cli", *args],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_imports_into_an_empty_database_at_once_both_succeed(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    folder = write_bundle(tmp_path / "bundle", small_county())
    runs = [cli(db_url, tmp_path, "import", str(folder)) for _ in range(2)]
    results = [(run.wait(timeout=120), *run.communicate()) for run in runs]
    for code, out, err in results:
        assert code == 0, out + err
        assert "Traceback" not in err
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Pupil)).scalar_one() == 3


def test_an_import_that_waits_too_long_stops_with_exit_2(
    db_url: str, engine: Engine, tmp_path: Path, backend: str
) -> None:
    folder = write_bundle(tmp_path / "bundle", small_county())
    config = tmp_path / "config.toml"
    config.write_text("[import]\nlock_timeout_seconds = 1\n")
    # Another import, as far as this one can tell, holds the lock.
    with writer(engine).connect() as holder, holder.begin():
        if backend == "postgresql":
            holder.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": IMPORT_LOCK})
        started = time.monotonic()
        run = cli(db_url, tmp_path, "import", str(folder), config=config)
        code = run.wait(timeout=60)
        out, err = run.communicate()
        waited = time.monotonic() - started
    assert code == 2, out + err
    assert "another" in err and "import" in err and "Traceback" not in err
    assert waited >= 1.0
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Pupil)).scalar_one() == 0
