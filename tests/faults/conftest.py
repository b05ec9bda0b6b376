"""Bundles made once per session with `transport generate` (realistic names, emails and
mobiles), and a second database for a reference run."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from tests.faults.support import COMMAND_TIMEOUT, Personal, command

NIGHT = "2026-08-20"  # a night on which the generated county has every ladder step due


def _generate(folder: Path, pupils: int) -> Path:
    subprocess.run(
        command("generate", "--out", str(folder), "--pupils", str(pupils)),
        check=True, capture_output=True, timeout=COMMAND_TIMEOUT,
    )  # fmt: skip
    return folder


@pytest.fixture(scope="session")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A county of 400 pupils: a night's ladder queues some dozens of messages."""
    return _generate(tmp_path_factory.mktemp("county") / "bundle", 400)


@pytest.fixture(scope="session")
def big_county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 pupils: an import that takes seconds, long enough to be cut or killed."""
    return _generate(tmp_path_factory.mktemp("big") / "bundle", 20_000)


@pytest.fixture(scope="session")
def county_personal(county: Path) -> Personal:
    return Personal.of_bundle(county)


@pytest.fixture(scope="session")
def big_personal(big_county: Path) -> Personal:
    return Personal.of_bundle(big_county)


@pytest.fixture
def other_db_url(tmp_path: Path, _pg_admin: Engine | None) -> Iterator[str]:
    """A second fresh database on the same backend (for an uninterrupted reference run)."""
    if _pg_admin is None:
        yield f"sqlite:///{tmp_path / 'reference.db'}"
        return
    schema = f"r_{uuid.uuid4().hex[:16]}"
    with _pg_admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(str(_pg_admin.url.render_as_string(hide_password=False)))
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with _pg_admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
