"""Sending rules as a user meets them through `transport outbox send` (issue 23): quiet
hours that would let a text wake a family are refused, and turning them off is said on
every send."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.bundles import small_county, write_bundle

runner = CliRunner()


def env_with(db_url: str, tmp_path: Path, config: str) -> dict[str, str]:
    path = tmp_path / "transport.toml"
    if "[email]" not in config:
        config = f'[email]\noutbox_dir = "{tmp_path / "outbox"}"\n{config}'
    path.write_text(config)
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


def test_dispatch_with_a_dead_channel_is_a_failed_run_naming_the_held_digest(
    db_url: str, tmp_path: Path
) -> None:
    """Issue 23.10: what the scheduler runs every few minutes exited 0 and recorded `ok`
    while the SMTP login was refused; the digest that would say so sat behind it."""
    from tests.smtp_server import SmtpServer

    with SmtpServer() as smtp:
        smtp.require_auth("transport", "right-password")
        env = env_with(
            db_url,
            tmp_path,
            f'[email]\nbackend = "smtp"\nhost = "127.0.0.1"\nport = {smtp.port}\n'
            "starttls = false\n[sending]\nquiet_hours = []\n",
        )
        env.update(SMTP_USERNAME="transport", SMTP_PASSWORD="wrong")
        code, out, err = run(env, "import", str(write_bundle(tmp_path / "b", small_county())))
        assert code == 0, out + err
        code, out, err = run(env, "jobs", "run", "nightly", "--on", "2026-08-26")
        assert code == 0, out + err

        code, out, err = run(env, "jobs", "run", "dispatch", "--on", "2026-08-26")

        assert code == 2, out + err
        assert "SMTP_USERNAME" in err and "digest of 2026-08-26" in err
        code, out, _ = run(env, "jobs", "list", "--job", "dispatch", "--format", "json")
        (last, *_) = json.loads(out)
        assert last["status"] == "failed"
        assert "channel down" in last["error"] and "digest of 2026-08-26" in last["error"]
        assert smtp.received == []
