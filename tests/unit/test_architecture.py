"""The habits of the house, enforced: a pure core, dependencies that point one way
(cli -> commands -> jobs -> services -> notifications -> transport), no SQL above the
services, one clock, one reader of the environment, small modules."""

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
ORDER = ("cli", "commands", "jobs", "services", "notifications", "transport")
# Each package may import only the packages after it in ORDER.
LAYERS = {package: set(ORDER[: index + 1]) - {package} for index, package in enumerate(ORDER)}
# web/ sits beside commands/ (`transport serve`): it verifies and parses a request, calls
# one use case in services/ and renders. It reaches no job, no sender and no message store
# (notifications/), and commands/ and web/ never import each other (cli.py assembles both).
LAYERS["web"] = {"cli", "commands", "jobs", "notifications"}
LAYERS["commands"] = LAYERS["commands"] | {"web"}
# Above the services, nothing speaks SQL: queries live in transport/db, use cases in services.
NO_SQL = ("cli", "commands", "jobs", "web")
PACKAGES = ("transport", "notifications", "services", "jobs", "commands", "web")


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
    for package in PACKAGES:
        files.extend((ROOT / package).rglob("*.py"))
    return sorted(f for f in files if "migrations" not in f.parts)


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_the_core_imports_no_infrastructure(path: Path) -> None:
    assert not imported_modules(path) & SHELL_ONLY


def test_dependencies_point_one_way() -> None:
    for path in python_files():
        package = path.relative_to(ROOT).parts[0].removesuffix(".py")
        forbidden = LAYERS.get(package, set())
        assert not imported_modules(path) & forbidden, path


def test_no_sql_above_the_services() -> None:
    for path in python_files():
        if path.relative_to(ROOT).parts[0].removesuffix(".py") in NO_SQL:
            assert not imported_modules(path) & {"sqlalchemy", "alembic", "psycopg"}, path


def test_the_layers_are_known() -> None:
    """Every package is in a layer, so a new one cannot slip past the rule above."""
    found = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert found - {"tests", "bench"} == set(PACKAGES)


def test_modules_stay_small() -> None:
    for path in python_files():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 500, f"{path.relative_to(ROOT)} has {lines} lines"


def test_the_command_line_is_thin() -> None:
    assert len((ROOT / "cli.py").read_text(encoding="utf-8").splitlines()) < 150


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


def test_the_web_layer_holds_no_business_rule_nor_sender() -> None:
    """web/ may use twilio's request validator (verifying a request is its job), never the
    twilio client that sends; it builds no message and reads no clock of its own."""
    for path in (ROOT / "web").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.split(".")[0] == "twilio":
                    assert node.module == "twilio.request_validator", path
            elif isinstance(node, ast.Import):
                assert not any(a.name.split(".")[0] == "twilio" for a in node.names), path
