"""Finding a child stays fast on a county of a million pupils: every query `transport find`
and a reference in any case run is an index probe or range, never a scan of the pupils or
contacts (read from SQLite's own query plans; timings are bench/find.py's)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from cli import app as cli_app
from services.app import App, build
from services.find import find_children
from services.keys import pupil_key
from tests.bundles import small_county, write_bundle
from transport.clock import FixedClock
from transport.config import Config, DatabaseConfig

SEARCHES = [
    "fitzwilliam",  # a surname
    "Amelia Fitzwilliam",  # a first name and a surname
    "NR14 7PZ",  # a postcode
    "NR14",  # an outward code
    "cath@example.com",  # an email
    "07700 900461",  # a number
    "p0001",  # a reference, any case
    "Fitzwiliam",  # nothing: "did you mean"
]


@pytest.fixture
def app(db_url: str, engine: Engine, tmp_path: Path, backend: str) -> Iterator[App]:
    if backend != "sqlite":
        pytest.skip("reads SQLite's query plans (PostgreSQL's indexes: the same migration)")
    folder = write_bundle(tmp_path / "b", small_county())
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": ""}
    assert CliRunner().invoke(cli_app, ["import", str(folder)], env=env).exit_code == 0
    config = dataclasses.replace(Config(), database=DatabaseConfig(url=db_url))
    built = build(config, clock=FixedClock(datetime(2026, 8, 24, 9, 0, tzinfo=UTC)))
    yield built
    built.close()


def test_no_search_scans_the_pupils_or_the_contacts(app: App) -> None:
    statements: list[tuple[str, Any]] = []

    def seen(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, params))

    event.listen(app.engine, "before_cursor_execute", seen)
    try:
        for search in SEARCHES:
            find_children(app, search)
        with app.engine.connect() as conn:
            assert pupil_key(conn, "p1") == "P1"  # exactly not, in any case yes
    finally:
        event.remove(app.engine, "before_cursor_execute", seen)
    searched = [s for s in statements if "pupils" in s[0] or "contacts" in s[0]]
    assert len(searched) >= len(SEARCHES)
    with app.engine.connect() as conn:
        for statement, params in searched:
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()
            steps = " | ".join(str(row[-1]) for row in plan)
            for table in ("pupils", "contacts"):
                assert f"SCAN {table}" not in steps, (statement, steps)
            assert "SCAN pupil_contacts" not in steps, (statement, steps)


def test_the_indexes_are_there(engine: Engine, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's catalogue")
    with engine.connect() as conn:
        found = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'"))
        names = set(found.scalars())
    assert {"ix_pupils_ref_folded", "ix_pupils_surname_folded", "ix_contacts_email_folded",
            "ix_contacts_mobile", "ix_contacts_landline"} <= names  # fmt: skip
