"""No all-clear without children, and the record's age is that of its children's data
(risk-check.md, settled 2026-12-07; issue 23.2 and 23.3). Through the root app, on
SQLite or PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from cli import app
from tests.bundles import small_county, write_bundle
from transport.db.engine import make_engine, writer
from transport.db.tables import AuditEvent

runner = CliRunner()
DAY = "2026-08-24"


@pytest.fixture
def env(db_url: str) -> dict[str, str]:
    return {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "220"}


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def imported(env: dict[str, str], folder: Path, files: dict[str, Any]) -> None:
    code, out, err = run(env, "import", str(write_bundle(folder, files)))
    assert code == 0, out + err


def reference_only(header_only_pupils: bool = False) -> dict[str, Any]:
    county = small_county()
    files = {name: county[name] for name in ("schools.csv", "terms.csv")}
    if header_only_pupils:
        files["pupils.csv"] = []
    return files


def check_json(env: dict[str, str], *options: str) -> dict[str, Any]:
    code, out, err = run(env, "check", "--as-of", DAY, "--format", "json", *options)
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


@pytest.mark.parametrize("header_only_pupils", [False, True], ids=["no-pupils", "header-only"])
def test_a_record_without_children_is_not_an_all_clear(
    tmp_path: Path, env: dict[str, str], header_only_pupils: bool
) -> None:
    imported(env, tmp_path / "b", reference_only(header_only_pupils))

    code, out, err = run(env, "check", "--as-of", DAY, "--fail-on", "critical")

    assert code == 1, out + err
    assert "No child is at risk" not in out
    assert "not an all-clear" in out and "no child is in scope" in err
    data = check_json(env)
    assert data["counts"]["in_scope"] == 0
    assert any("not an all-clear" in warning for warning in data["warnings"])
    code, out, _ = run(env, "check", "--as-of", DAY, "--format", "html")
    assert code == 0 and "No child is at risk" not in out and "not an all-clear" in out
    code, out, _ = run(env, "digest", "--as-of", DAY)
    assert code == 0 and out.startswith("[NO CHILDREN]") and "NO CHILD IS IN SCOPE" in out


def test_no_children_is_about_the_whole_record_whatever_school_is_asked(
    tmp_path: Path, env: dict[str, str]
) -> None:
    files = small_county()
    files["schools.csv"].append({"urn": "100009", "name": "Empty School", "phase": "primary"})
    imported(env, tmp_path / "b", files)

    data = check_json(env, "--school", "100009")

    assert data["counts"]["in_scope"] == 0
    assert not any("not an all-clear" in warning for warning in data["warnings"])
    code, _, err = run(env, "check", "--as-of", DAY, "--school", "100009", "--fail-on", "critical")
    assert code == 0, err


def backdate_imports(db_url: str, days: int) -> datetime:
    """Every import so far took place ``days`` ago (the record aged, as it would)."""
    when = datetime.now(UTC) - timedelta(days=days)
    engine = make_engine(db_url)
    try:
        with writer(engine).begin() as conn:
            conn.execute(update(AuditEvent).where(AuditEvent.action == "import").values(at=when))
    finally:
        engine.dispose()
    return when


@pytest.mark.parametrize(
    "partial",
    [
        reference_only(),
        reference_only(header_only_pupils=True),
        {"contacts.csv": small_county()["contacts.csv"]},
    ],
    ids=["schools-and-terms", "header-only-pupils", "contacts"],
)
def test_a_partial_import_does_not_make_a_stale_record_look_fresh(
    tmp_path: Path, env: dict[str, str], db_url: str, partial: dict[str, Any]
) -> None:
    imported(env, tmp_path / "full", small_county())
    aged = backdate_imports(db_url, days=10)

    imported(env, tmp_path / "partial", partial)

    data = check_json(env)
    assert datetime.fromisoformat(data["data_imported_at"]) == aged
    assert any("last imported" in warning for warning in data["warnings"])
    code, _, err = run(env, "check", "--as-of", DAY, "--fail-on", "critical")
    assert code == 1 and "out of date" in err
    code, out, _ = run(env, "digest", "--as-of", DAY)
    assert out.startswith("[STALE]") and "THE RECORD IS OUT OF DATE" in out


@pytest.mark.parametrize("name", ["pupils.csv", "awards.csv", "applications.csv"])
def test_an_import_carrying_childrens_rows_refreshes_the_age(
    tmp_path: Path, env: dict[str, str], db_url: str, name: str
) -> None:
    imported(env, tmp_path / "full", small_county())
    backdate_imports(db_url, days=10)

    imported(env, tmp_path / "again", {name: small_county()[name]})

    data = check_json(env)
    imported_at = datetime.fromisoformat(data["data_imported_at"])
    assert datetime.now(UTC) - imported_at < timedelta(minutes=5)
    assert not any("last imported" in warning for warning in data["warnings"])
