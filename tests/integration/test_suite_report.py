"""What .ci/run relies on from the test suite itself, checked by running pytest as CI does:
in a parallel run the note TRANSPORT_TEST_REPORT leaves counts every worker's database
tests and says that a test failed, and a PostgreSQL run whose server cannot be reached
stops at once, loudly, with no note that could pass for a run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_parallel_run_reports_every_workers_database_tests_and_its_failure(
    tmp_path: Path, backend: str
) -> None:
    """A suite of its own in a temporary folder, with the project's conftest as its plugin:
    three database tests in two workers, one of which fails."""
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["tests.conftest"]\n')
    (tmp_path / "test_three.py").write_text(
        "def test_fails(db_url):\n    assert False\n\n\n"
        "def test_passes(engine):\n    assert engine.url\n\n\n"
        "def test_passes_too(db_url):\n    assert db_url\n"
    )
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-c", os.devnull,
         "--rootdir", str(tmp_path), "-n", "2", "-q", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TRANSPORT_TEST_REPORT": str(report)},
    )  # fmt: skip
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    assert "bringing up nodes" in done.stdout and "1 failed, 2 passed" in done.stdout
    assert json.loads(report.read_text()) == {"backend": backend, "db_tests": 3, "exitstatus": 1}


def test_a_postgresql_run_without_its_server_stops_loudly(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
         "tests/integration/test_db.py::test_foreign_keys_are_enforced"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "TRANSPORT_TEST_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/t",
             "TRANSPORT_TEST_REPORT": str(report)},
    )  # fmt: skip
    assert done.returncode == 3
    assert "PostgreSQL cannot be reached" in done.stdout + done.stderr
    assert not report.exists()  # nothing .ci/run could read as a run
