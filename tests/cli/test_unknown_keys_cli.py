"""Every filter that names a key, in every command, exits 2 naming a key the record does
not hold (issue 22.5): `outbox list --pupil P99` used to print an empty table, exit 0,
which reads as "no messages"."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.bundles import small_county, write_bundle

runner = CliRunner()


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> dict[str, str]:
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "220"}
    folder = write_bundle(tmp_path / "bundle", small_county())
    result = runner.invoke(app, ["import", str(folder)], env=env)
    assert result.exit_code == 0, result.stdout + result.stderr
    return env


@pytest.mark.parametrize(
    ("command", "named"),
    [
        (["outbox", "list", "--pupil", "P99"], "--pupil P99"),
        (["outbox", "list", "--contact", "9999"], "--contact 9999"),
        (["outbox", "list", "--pupil", "P1", "--contact", "9999"], "--contact 9999"),
        (["contacts", "list", "--pupil", "P99"], "--pupil P99"),
        (["tasks", "list", "--pupil", "P99"], "--pupil P99"),
        (["tasks", "list", "--school", "999999"], "--school 999999"),
        (["audit", "--pupil", "P99"], "--pupil P99"),
        (["check", "--school", "999999"], "--school 999999"),
        (["outbox", "preview", "--pupil", "P99", "--kind", "renewal_invite"], "--pupil P99"),
    ],
)
def test_a_filter_naming_a_key_the_record_does_not_hold_exits_2(
    env: dict[str, str], command: list[str], named: str
) -> None:
    result = runner.invoke(app, command, env=env)

    assert result.exit_code == 2, result.stdout + result.stderr
    assert named in result.stderr and "the record holds no" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "command",
    [
        ["outbox", "list", "--pupil", "P1"],
        ["contacts", "list", "--pupil", "P1"],
        ["tasks", "list", "--pupil", "P1", "--school", "100001"],
        ["audit", "--pupil", "P1"],
    ],
)
def test_a_key_the_record_holds_is_listed_even_when_nothing_matches(
    env: dict[str, str], command: list[str]
) -> None:
    assert runner.invoke(app, command, env=env).exit_code == 0
