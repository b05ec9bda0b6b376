"""The check's table fits the terminal and never cuts what the team acts on: every
reference and every reason code is printed whole, at 80 columns and at 200."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.bundles import application, pupil, small_county, write_bundle

runner = CliRunner()


@pytest.mark.parametrize("columns", [80, 200])
def test_references_and_reasons_are_never_cut(
    tmp_path: Path, db_url: str, columns: int
) -> None:
    files = small_county()
    files["pupils.csv"].append(pupil("P-LONGREF-0004", first_name="Maximilian-Alexander"))
    files["applications.csv"].append(
        application("APP4", pupil_ref="P-LONGREF-0004", status="assessing", year="2026/27")
    )
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": str(columns)}
    folder = write_bundle(tmp_path / "bundle", files)
    assert runner.invoke(app, ["import", str(folder)], env=env).exit_code == 0
    listed = runner.invoke(app, ["check", "--as-of", "2026-08-24", "--format", "json"], env=env)
    children = json.loads(listed.stdout)["at_risk"]
    reasons = {reason for child in children for reason in child["reasons"]}
    assert len(children) >= 4 and "APPLICATION_UNDECIDED" in reasons
    table = runner.invoke(app, ["check", "--as-of", "2026-08-24", "--limit", "0"], env=env)
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert max(len(line) for line in lines) <= columns
    words = {word.strip("│┃ ") for line in lines for word in line.split()}
    for child in children:
        assert child["pupil_ref"] in words, child["pupil_ref"]
    for reason in reasons:
        assert reason in words, reason
    assert "…" not in "".join(line for line in lines if "P-LONGREF" in line)
