"""The habits of DESIGN.md, enforced: a pure core, one clock, one reader of the environment."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = sorted((ROOT / "transport" / "domain").rglob("*.py"))
SHELL_ONLY = {
    "sqlalchemy",
    "twilio",
    "jinja2",
    "apscheduler",
    "typer",
    "rich",
    "alembic",
    "psycopg",
    "logging",
    "os",
    "smtplib",
}
LAYERS = {
    "transport": {"notifications", "jobs", "cli"},
    "notifications": {"jobs", "cli"},
    "jobs": {"cli"},
}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def python_files() -> list[Path]:
    files = [ROOT / "cli.py"]
    for package in ("transport", "notifications", "jobs"):
        files.extend((ROOT / package).rglob("*.py"))
    return sorted(f for f in files if "migrations" not in f.parts)


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_the_core_imports_no_infrastructure(path: Path) -> None:
    assert not imported_modules(path) & SHELL_ONLY


def test_dependencies_point_one_way() -> None:
    for path in python_files():
        package = path.relative_to(ROOT).parts[0]
        forbidden = LAYERS.get(package, set())
        assert not imported_modules(path) & forbidden, path


def calls(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name):
                found.add(f"{owner.id}.{node.func.attr}")
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and node.attr in {"environ", "getenv"}
        ):
            found.add("os.environ")
    return found


def test_only_the_clock_reads_the_clock() -> None:
    clock_calls = {"datetime.now", "date.today", "datetime.utcnow", "datetime.today", "time.time"}
    for path in python_files():
        if path.name == "clock.py":
            continue
        assert not calls(path) & clock_calls, path


def test_only_config_reads_the_environment() -> None:
    for path in python_files():
        if path.name == "config.py":
            continue
        assert "os.environ" not in calls(path), path
