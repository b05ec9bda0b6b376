"""The benchmark scripts at a smoke size, so they do not rot (the real sizes are run by
hand: see bench/README.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_bench(backend: str, script: str, *args: str) -> dict:
    command = [sys.executable, str(ROOT / "bench" / script), *args, "--only", backend]
    if os.environ.get("TRANSPORT_TEST_DATABASE_URL"):
        command += ["--postgres", os.environ["TRANSPORT_TEST_DATABASE_URL"]]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_main_benchmark_runs_and_reports_every_figure(backend: str) -> None:
    data = run_bench(backend, "run.py", "--pupils", "150", "--runs", "1")
    commands = {r["command"]: r for r in data["results"]}
    steps = ("import", "reimport", "check", "assess", "nightly", "remind", "complete",
             "complete_removing")  # fmt: skip
    assert set(commands) == {*steps, "baseline query", "copy floor"}
    for name in steps:
        figures = commands[name]
        assert figures["database"] == backend
        assert figures["wall_s"] > 0 and figures["peak_rss_mb"] > 0 and figures["x_baseline"] > 0
    # The import beside the COPY floor: the same rows written straight into the same tables.
    floor = commands["copy floor"]
    assert floor["wall_s"] > 0 and floor["tables"]["pupils"] == 150
    assert floor["tables"]["pupil_contacts"] > 0 and floor["tables"]["contacts"] > 0
    for name in ("import", "reimport", "complete", "complete_removing"):
        assert commands[name]["x_copy"] > 0
    # On PostgreSQL the commands ran as roles.sql's application role.
    role = data["as_app_role"][backend]
    assert (role or "").startswith("bench_app_") if backend == "postgresql" else role is None
    forecast = data["forecast"][backend]
    assert forecast["check_s"] > 0 and forecast["forecast_s"] > 0 and forecast["runs"] == 1


def test_the_dispatch_benchmark_sends_each_message_once(backend: str) -> None:
    data = run_bench(backend, "dispatch.py", "--messages", "20", "--runs", "1")
    assert {r["channel"] for r in data["results"]} == {"email", "sms"}
    assert all(r["each_exactly_once"] and r["messages_per_s"] > 0 for r in data["results"])


def test_the_startup_benchmark_times_help_and_the_demo_check() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "startup.py"), "--runs", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(done.stdout.strip().splitlines()[-1])
    assert [r["command"] for r in data["results"]] == [
        "transport --help",
        "transport check (demo county)",
    ]
    assert all(r["median_s"] > 0 for r in data["results"])


@pytest.fixture
def county(db_url: str, tmp_path: Path) -> str:
    """A small county generated and imported into a fresh database: its URL."""
    bundle = tmp_path / "bundle"
    env = {**os.environ, "TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": ""}
    for args in (["generate", "--out", str(bundle), "--pupils", "60"], ["import", str(bundle)]):
        made = subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        assert made.returncode == 0, made.stderr[-2000:]
    return db_url


def run_on(url: str, script: str, *args: str) -> dict:
    """A bench script run on the database at ``url``: its last line, as JSON."""
    env = {**os.environ, "TRANSPORT_DATABASE_URL": url, "TRANSPORT_CONFIG": ""}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--database", url, *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_pupil_benchmark_times_the_command_and_the_story(county: str) -> None:
    data = run_on(county, "pupil.py", "--runs", "1", "P0000001")
    assert data["command_wall_s"] > 0 and data["story_s"] > 0


def test_the_find_benchmark_times_each_search(county: str) -> None:
    data = run_on(county, "find.py", "--runs", "1")
    searches = {row["search"]: row for row in data["rows"]}
    assert searches["surname"]["found"] > 0 and searches["postcode"]["found"] > 0
    assert searches["misspelt surname"]["found"] == 0
    assert all(row["command_wall_s"] > 0 for row in data["rows"])


def test_the_forecast_benchmark_times_the_check_and_the_forecast(county: str) -> None:
    data = run_on(county, "forecast.py", "--runs", "1")
    assert data["stages"] == 7 and data["children_at_risk"] > 0  # with dates (issue 21)
    assert data["check_s"] > 0 and data["forecast_s"] > 0


def test_the_simulate_benchmark_times_the_season(county: str) -> None:
    data = run_on(county, "simulate.py")
    assert [r["command"] for r in data["results"]] == [
        "simulate (with and without reminders)",
        "simulate --no-reminders",
    ]
    assert all(r["wall_s"] > 0 and r["cpu_s"] > 0 for r in data["results"])


def test_the_retention_benchmark_redacts_purges_then_finds_nothing(backend: str) -> None:
    data = run_bench(backend, "retention.py", "--pupils", "300")
    assert [r["command"] for r in data["results"]] == [
        "import", "dry run", "first run", "again", "next night",
    ]  # fmt: skip
    assert all(r["wall_s"] > 0 and r["database"] == backend for r in data["results"])
    counts = data["counts"][backend]
    assert counts["first_run"]["pupils_purged"] > 0 and counts["first_run"]["messages_redacted"] > 0
    assert counts["again_changes"] == 0 and counts["dry_run_equals_first"] is True


def test_the_explain_script_shows_each_check_query_plan_or_says_it_needs_postgresql(
    county: str, backend: str
) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "explain.py"), "--database", county,
         "--after", "P0000000"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if backend != "postgresql":
        assert done.returncode != 0 and "PostgreSQL" in done.stderr
        return
    assert done.returncode == 0, done.stderr[-2000:]
    for name in ("pupils", "awards", "applications", "arrangements"):
        assert f"-- {name}\n" in done.stdout
    assert done.stdout.count("Execution Time:") == 4
