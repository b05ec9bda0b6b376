"""Decisions made here stick (docs/import-format.md), through the command line (SQLite,
or PostgreSQL with TRANSPORT_TEST_DATABASE_URL)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from tests.bundles import application, small_county, write_bundle
from tests.cli.test_contacts_cli import run
from transport.clock import SystemClock
from transport.db.engine import make_engine
from transport.db.tables import Application, AuditEvent, Award


@pytest.fixture
def env(db_url: str) -> dict[str, str]:
    return {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "220"}


FACTS = {
    "walking_distance_miles": "3.4",
    "road_distance_miles": "3.9",
    "nearest_suitable_school": "yes",
    "kind": "renewal",
}


def bundle(status: str, **extra: Any) -> dict[str, Any]:
    files = small_county()
    files["applications.csv"] = [
        application("APP1", pupil_ref="P1", status=status, **FACTS, **extra)
    ]
    return files


def imported(env: dict[str, str], folder: Path, files: dict[str, Any]) -> dict[str, Any]:
    code, out, err = run(env, "import", str(write_bundle(folder, files)), "--format", "json")
    assert code == 0, err + out
    return {f["file"]: f for f in json.loads(out)["files"]}


def approved_here(tmp_path: Path, env: dict[str, str]) -> Engine:
    imported(env, tmp_path / "v1", bundle("received"))
    code, out, err = run(env, "applications", "decide", "APP1", "--approve", "--by", "J Smith")
    assert code == 0, err + out
    return make_engine(env["TRANSPORT_DATABASE_URL"])


def application_row(engine: Engine) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(Application).where(Application.application_ref == "APP1")).one()


def award_row(engine: Engine) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(Award).where(Award.award_ref == "APP1-A")).first()


def expected_end(valid_from: date) -> date | None:
    """The award ends the day before today, or is removed (None) if not yet started."""
    yesterday = SystemClock(ZoneInfo("Europe/London")).today() - timedelta(days=1)
    return None if valid_from > yesterday else yesterday


def test_an_export_behind_a_decision_made_here_does_not_undo_it(
    tmp_path: Path, env: dict[str, str]
) -> None:
    engine = approved_here(tmp_path, env)
    decided = application_row(engine)

    files = imported(env, tmp_path / "v2", bundle("received"))

    assert files["applications.csv"]["kept"] == 1
    assert files["applications.csv"]["updated"] == 0
    after = application_row(engine)
    assert (after.status, after.decided_on) == ("approved", decided.decided_on)
    assert award_row(engine) is not None
    code, out, _ = run(env, "import", str(tmp_path / "v2"))
    assert code == 0 and "Kept" in out


def test_an_export_with_another_decision_replaces_it_ends_the_award_and_tells_the_team(
    tmp_path: Path, env: dict[str, str]
) -> None:
    engine = approved_here(tmp_path, env)
    award = award_row(engine)

    files = imported(env, tmp_path / "v2", bundle("refused", decided_on="2026-07-01"))

    assert files["applications.csv"]["updated"] == 1
    assert files["applications.csv"]["kept"] == 0
    assert application_row(engine).status == "refused"
    end = expected_end(award.valid_from)
    after = award_row(engine)
    assert (after.valid_until if after else None) == end
    with engine.connect() as conn:
        actions = set(conn.execute(select(AuditEvent.action)).scalars())
    assert {"decision_replaced", "end_award"} <= actions
    code, out, err = run(env, "tasks", "list", "--kind", "review_decision", "--format", "json")
    assert code == 0, err
    assert [(t["pupil_ref"], t["kind"]) for t in json.loads(out)] == [("P1", "review_decision")]


def test_refusing_after_an_approval_made_here_ends_its_award(
    tmp_path: Path, env: dict[str, str]
) -> None:
    engine = approved_here(tmp_path, env)
    award = award_row(engine)

    code, out, err = run(env, "applications", "decide", "APP1", "--refuse", "--by", "J Smith")

    assert code == 0, err + out
    assert application_row(engine).status == "refused"
    after = award_row(engine)
    assert (after.valid_until if after else None) == expected_end(award.valid_from)
