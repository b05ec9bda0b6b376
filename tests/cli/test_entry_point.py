"""The installed entry point (`cli.main`) builds only the command about to run. These run it
as a fresh process, as a user does, so that the pruning is what is under test (the other
CLI tests call the full `cli.app`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import cli

ROOT = Path(__file__).resolve().parents[2]


def transport(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRANSPORT_CONFIG": "", "PYTHONPATH": str(ROOT),
           "TRANSPORT_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"}  # fmt: skip
    return subprocess.run([sys.executable, "-c", "import cli; cli.main()", *args], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)  # fmt: skip


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["pupil", "P1"], "pupil"),
        (["--debug", "contacts", "list"], "contacts"),
        (["--config", "council.toml", "check"], "check"),
        (["--config=council.toml", "jobs", "list"], "jobs"),
        (["--help"], None),
        ([], None),
    ],
)
def test_the_command_is_the_first_word_that_is_not_a_root_option(
    args: list[str], expected: str | None
) -> None:
    assert cli.command_named(args) == expected


def test_a_command_and_a_group_run_from_the_entry_point(tmp_path: Path) -> None:
    pupil = transport(tmp_path, "pupil", "--help")
    assert pupil.returncode == 0 and "One child's story" in pupil.stdout
    group = transport(tmp_path, "contacts", "--help")
    assert group.returncode == 0
    assert all(name in group.stdout for name in ("block", "unblock", "list"))
    # The command still runs, and still fails in one sentence: here, no database yet.
    story = transport(tmp_path, "pupil", "P1")
    assert story.returncode == 2 and story.stderr.startswith("error: no data")


def test_an_unknown_command_is_still_named_with_the_nearest_one(tmp_path: Path) -> None:
    typo = transport(tmp_path, "pupl", "P1")
    assert typo.returncode == 2 and "Did you mean 'pupil'?" in typo.stderr


def test_the_root_help_still_lists_every_command(tmp_path: Path) -> None:
    listed = transport(tmp_path, "--help").stdout
    expected = [c.name for c in cli.app.registered_commands]
    expected += [g.name for g in cli.app.registered_groups]
    assert len(expected) >= 18
    assert all(f" {name} " in listed for name in expected if name)
