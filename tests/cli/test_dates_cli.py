"""Dates on the command line as a UK team writes them: every date option takes YYYY-MM-DD or
DD/MM/YYYY (as the CSV files do), or today or tomorrow by the application's clock in the
council's time zone; anything else is a usage error (exit 2) naming the option."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer.main
from freezegun import freeze_time
from typer.testing import CliRunner

from cli import app
from commands.options import parse_date
from tests.bundles import small_county, write_bundle

runner = CliRunner()
# The options that name a day, in every command that has one.
DAY_OPTIONS = {"--as-of", "--since", "--from", "--to", "--team-from", "--rates-as-of",
               "--decided-on", "--valid-until", "--date", "--on"}  # fmt: skip


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> dict[str, str]:
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "200"}
    folder = write_bundle(tmp_path / "bundle", small_county())
    assert runner.invoke(app, ["import", str(folder)], env=env).exit_code == 0
    return env


def as_of(env: dict[str, str], *args: str) -> str:
    result = runner.invoke(app, ["check", "--format", "json", "--no-save", *args], env=env)
    assert result.exit_code == 0, result.stderr
    return str(json.loads(result.stdout)["as_of"])


def test_a_uk_date_is_the_same_day_as_the_iso_one(env: dict[str, str]) -> None:
    assert as_of(env, "--as-of", "26/08/2026") == "2026-08-26"
    assert as_of(env, "--as-of", "2026-08-26") == "2026-08-26"
    assert as_of(env, "--as-of", "4/9/2026") == "2026-09-04"  # day first, as in the UK


def test_today_and_tomorrow_are_the_councils_days_not_utcs(env: dict[str, str]) -> None:
    # 23:30 UTC on Tue 30 June 2026 is 00:30 BST on Wed 1 July in London.
    with freeze_time("2026-06-30 23:30:00"):
        assert as_of(env, "--as-of", "today") == "2026-07-01"
        assert as_of(env, "--as-of", "Tomorrow") == "2026-07-02"
        assert as_of(env) == "2026-07-01"  # no --as-of: today, the same day


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("26-08-2026", "expected a date as YYYY-MM-DD, DD/MM/YYYY, today or tomorrow"),
        ("26 Aug 2026", "expected a date as YYYY-MM-DD, DD/MM/YYYY, today or tomorrow"),
        ("yesterday", "expected a date as YYYY-MM-DD, DD/MM/YYYY, today or tomorrow"),
        ("08/26/2026", "expected a real date, got '08/26/2026'"),  # month first: no 26th month
        ("31/02/2026", "expected a real date, got '31/02/2026'"),
    ],
)
def test_anything_else_is_a_usage_error_naming_the_option(text: str, words: str) -> None:
    result = runner.invoke(app, ["check", "--as-of", text], env={"TRANSPORT_CONFIG": ""})
    assert result.exit_code == 2
    assert "--as-of" in result.stderr and words in result.stderr
    assert "Traceback" not in result.stderr


def test_every_date_option_is_the_one_date_type_and_its_help_says_so() -> None:
    root = typer.main.get_command(app)
    found: list[str] = []

    def walk(command: object, path: str) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())
        for param in getattr(command, "params", []):
            if DAY_OPTIONS & set(param.opts):
                found.append(f"{path} {param.opts[0]}")
                assert getattr(param.type, "func", None) is parse_date, (path, param.opts)
                assert param.metavar == "DATE", (path, param.opts)
            assert type(param.type).__name__ != "DateTime", (path, param.opts)

    walk(root, "")
    assert len(found) >= 20  # the premise: the walk reached the commands' date options
    help_text = " ".join(runner.invoke(app, ["check", "--help"]).stdout.split())
    assert "DD/MM/YYYY" in help_text and "today or tomorrow" in help_text


@pytest.mark.parametrize(
    "args",
    [
        ["audit", "--since", "01/08/2026"],
        ["jobs", "list"],  # no date: the control
        ["outbox", "list"],
        ["simulate", "--from", "03/08/2026", "--to", "07/09/2026", "--team-from", "10/08/2026",
         "--team", "decide=1", "--rates-as-of", "31/07/2026"],
        ["retention", "apply", "--dry-run", "--as-of", "tomorrow", "--by", "Priya Shah"],
        ["digest", "--as-of", "26/08/2026"],
    ],
)  # fmt: skip
def test_other_commands_take_uk_dates_too(env: dict[str, str], args: list[str]) -> None:
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.stderr
