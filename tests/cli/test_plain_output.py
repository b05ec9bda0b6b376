"""What the team reads: plain summaries, filters that say when a key is unknown, and every
--format a command accepts really in that format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.bundles import contact, small_county, write_bundle

runner = CliRunner()


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> dict[str, str]:
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "200"}
    files = small_county()
    files["applications.csv"] = []
    files["contacts.csv"] = [contact("P1"), contact("P2")]  # P3 has none: unreachable
    folder = write_bundle(tmp_path / "bundle", files)
    assert runner.invoke(app, ["import", str(folder)], env=env).exit_code == 0
    return env


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_remind_says_in_words_what_it_queued_and_who_is_unreachable(
    env: dict[str, str],
) -> None:
    code, out, _ = run(env, "remind", "--as-of", "2026-08-06")
    assert code == 0
    assert "{" not in out  # no Python dict
    assert "due today: " in out and "at the urgent step" in out
    assert "Queued 2 messages (1 by email, 1 by SMS)." in out
    assert "Unreachable" in out and "P3" in out
    code, again, _ = run(env, "remind", "--as-of", "2026-08-06")
    assert "Queued 0 messages" in again


def test_tasks_filter_by_pupil_and_school(env: dict[str, str]) -> None:
    assert run(env, "remind", "--as-of", "2026-08-06")[0] == 0
    code, out, _ = run(env, "tasks", "list", "--format", "json")
    everyone = json.loads(out)
    assert {t["pupil_ref"] for t in everyone} >= {"P1", "P3"}
    only = json.loads(run(env, "tasks", "list", "--pupil", "P3", "--format", "json")[1])
    assert only and {t["pupil_ref"] for t in only} == {"P3"}
    school = json.loads(run(env, "tasks", "list", "--school", "100002", "--format", "json")[1])
    assert {t["pupil_ref"] for t in school} <= {"P2", "P3"} and school
    code, _, err = run(env, "tasks", "list", "--pupil", "NOBODY")
    assert code == 2 and "NOBODY" in err


def test_simulate_csv_is_csv(env: dict[str, str]) -> None:
    code, out, _ = run(env, "simulate", "--from", "2026-08-01", "--to", "2026-09-07",
                       "--format", "csv")  # fmt: skip
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and set(rows[0]) == {"run", "first_day", "pupil_ref", "school_urn", "reasons"}
    assert {row["run"] for row in rows} == {"with_reminders", "no_reminders"}
    assert {row["first_day"] for row in rows} <= {"2026-09-03"}
