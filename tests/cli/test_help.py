"""Every command and sub-command explains itself: it has help text, and `--help` works."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from cli import app

runner = CliRunner()


def commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from commands(sub, (*path, name))


ALL = list(commands(typer.main.get_command(app)))


def test_the_tree_holds_every_group() -> None:
    names = {path for path, _ in ALL}
    for expected in (("check",), ("import",), ("outbox", "send"), ("jobs", "run"),
                     ("scheduler", "run"), ("applications", "decide"), ("tasks", "done")):
        assert expected in names  # fmt: skip
    assert len(ALL) >= 25


@pytest.mark.parametrize("path", [path for path, _ in ALL], ids=lambda p: " ".join(p) or "root")
def test_help_text_and_help_option(path: tuple[str, ...]) -> None:
    command = dict(ALL)[path]
    assert (command.help or "").strip(), f"{' '.join(path)} has no help text"
    for param in command.params:
        if param.name not in ("ctx",) and getattr(param, "param_type_name", "") == "option":
            assert (param.help or "").strip(), f"{' '.join(path)} {param.name} has no help"
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout
