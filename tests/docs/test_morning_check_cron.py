"""The morning check's cron line in docs/operations.md, run as written: the check's JSON
(children's names and references) goes to a private file (0600) through `--output`, never
through a shell redirection, which would make it as the umask says (0644 under cron)."""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.bundles import small_county, write_bundle

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = ROOT / "docs" / "operations.md"


def morning_check_line() -> str:
    text = OPERATIONS.read_text(encoding="utf-8")
    section = text.split("### The morning check", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None, "the morning check has no cron block"
    (line,) = [x for x in block.group(1).splitlines() if "bin/transport check" in x]
    return line


def check_words(line: str) -> list[str]:
    """The `transport check` command of the line, its arguments and what follows them up
    to the next && or ||."""
    words = shlex.split(line, posix=True)
    start = next(i for i, w in enumerate(words) if w.endswith("bin/transport"))
    end = next((i for i in range(start, len(words)) if words[i] in ("&&", "||", ";")), None)
    return words[start + 1 : end]


def without_stderr(words: list[str]) -> list[str]:
    kept: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word == "2>":
            skip = True  # and the file name after it
        elif not word.startswith("2>"):
            kept.append(word)
    return kept


@pytest.fixture
def cron_umask() -> Iterator[None]:
    before = os.umask(0o022)  # cron's usual umask: files readable by everyone
    try:
        yield
    finally:
        os.umask(before)


def test_the_cron_line_writes_the_check_to_a_private_file_without_a_redirection(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cron_umask: None
) -> None:
    words = check_words(morning_check_line())
    assert words[0] == "check"
    assert not [w for w in words if w.startswith((">", "1>", "&>"))], words  # stdout to a file
    assert "--output" in words
    target = words[words.index("--output") + 1]

    monkeypatch.chdir(tmp_path)  # cron's working folder (cd /var/lib/transport)
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "200"}
    folder = write_bundle(tmp_path / "bundle", small_county())
    assert CliRunner().invoke(app, ["import", str(folder)], env=env).exit_code == 0
    args = without_stderr(words)  # its one-sentence stderr, kept for the alert
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code in (0, 1), result.stderr  # 1: a child critical (the alert)
    assert result.stdout == ""  # nothing for cron to mail or a redirection to catch
    written = tmp_path / target
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert json.loads(written.read_text())["as_of"]
