"""A path that is not there is a mistake in the command, not a problem found in the data:
a usage error (exit 2) that names the path, before anything is read or written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["import", "bundel"], "Directory 'bundel' does not exist"),
        (["import", "--dry-run", "bundel"], "Directory 'bundel' does not exist"),
        (["import", "pupils.csv"], "Directory 'pupils.csv' is a file"),
        (["eligibility", "assess", "facts.jsn"], "File 'facts.jsn' does not exist"),
        (["eligibility", "assess", "bundle"], "File 'bundle' is a directory"),
    ],
)
def test_a_path_that_is_not_there_is_a_usage_error(
    empty_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], words: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pupils.csv").write_text("pupil_ref\n")
    (tmp_path / "bundle").mkdir()
    env = {"TRANSPORT_DATABASE_URL": empty_db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "200"}
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 2, result.output
    assert words in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "empty.db").exists()  # nothing was created, nothing written
