"""Bundles made once per session with `transport generate` (realistic names, emails and
mobiles), and a second database for a reference run."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from tests.faults.support import (
    COMMAND_TIMEOUT,
    Personal,
    command,
    environment,
    outbox_rows,
    run,
    write_config,
)
from transport.db.engine import make_engine

NIGHT = "2026-08-20"  # a night on which the generated county has every ladder step due


def _generate(folder: Path, pupils: int) -> Path:
    subprocess.run(
        command("generate", "--out", str(folder), "--pupils", str(pupils)),
        check=True, capture_output=True, timeout=COMMAND_TIMEOUT,
    )  # fmt: skip
    return folder


@pytest.fixture(scope="session")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A county of 250 pupils: a night's ladder queues a few dozen messages."""
    return _generate(tmp_path_factory.mktemp("county") / "bundle", 250)


@pytest.fixture(scope="session")
def big_county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 pupils: an import that takes seconds, long enough to be cut or killed (on
    PostgreSQL one of 10,000 can end before the test sees its first megabyte)."""
    return _generate(tmp_path_factory.mktemp("big") / "bundle", 20_000)


@pytest.fixture(scope="session")
def mid_county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """5,000 pupils: an import whose bulk load a proxy can cut part-way."""
    return _generate(tmp_path_factory.mktemp("mid") / "bundle", 5_000)


@pytest.fixture(scope="session")
def county_personal(county: Path) -> Personal:
    return Personal.of_bundle(county)


@pytest.fixture(scope="session")
def big_personal(big_county: Path) -> Personal:
    return Personal.of_bundle(big_county)


@pytest.fixture(scope="session")
def night_reference(
    county: Path, tmp_path_factory: pytest.TempPathFactory, _pg_admin: Engine | None
) -> list[str]:
    """The dedupe keys one uninterrupted night queues for the county, on a fresh database
    of the backend under test (computed once per session)."""
    folder = tmp_path_factory.mktemp("reference")
    schema = f"r_{uuid.uuid4().hex[:16]}"
    if _pg_admin is None:
        url = f"sqlite:///{folder / 'reference.db'}"
    else:
        with _pg_admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        base = make_url(str(_pg_admin.url.render_as_string(hide_password=False)))
        url = base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    try:
        env = environment(url, write_config(folder))
        for args in (("import", str(county)), ("jobs", "run", "nightly", "--on", NIGHT)):
            done = run(env, *args, cwd=folder)
            assert done.code == 0, done.out
        engine = make_engine(url)
        try:
            return sorted(row.dedupe_key for row in outbox_rows(engine))
        finally:
            engine.dispose()
    finally:
        if _pg_admin is not None:
            with _pg_admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
