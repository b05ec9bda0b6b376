"""Sending rules as a user meets them through `transport outbox send` (issue 23): quiet
hours that would let a text wake a family are refused, and turning them off is said on
every send."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.bundles import small_county, write_bundle

runner = CliRunner()


def env_with(db_url: str, tmp_path: Path, config: str) -> dict[str, str]:
    path = tmp_path / "transport.toml"
    path.write_text(f'[email]\noutbox_dir = "{tmp_path / "outbox"}"\n{config}')
    return {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": str(path), "COLUMNS": "220"}


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "quiet", ['["08:00", "20:00"]', '["00:00", "00:00"]', '["23:00", "06:00"]']
)
def test_quiet_hours_that_allow_texts_at_night_stop_every_command(
    db_url: str, tmp_path: Path, quiet: str
) -> None:
    env = env_with(db_url, tmp_path, f"[sending]\nquiet_hours = {quiet}\n")
    for command in (["outbox", "send"], ["jobs", "run", "dispatch"], ["check"]):
        code, out, err = run(env, *command)
        assert code == 2, (command, out, err)
        assert "sending.quiet_hours" in err and "21:00 to 07:00" in err


def test_quiet_hours_off_is_said_on_every_send(db_url: str, tmp_path: Path) -> None:
    env = env_with(db_url, tmp_path, "[sending]\nquiet_hours = []\n")
    code, out, err = run(env, "import", str(write_bundle(tmp_path / "bundle", small_county())))
    assert code == 0, out + err

    for _ in range(2):
        code, out, err = run(env, "outbox", "send")
        assert code == 0, out + err
        assert "warning: quiet hours are off (sending.quiet_hours = [])" in err
