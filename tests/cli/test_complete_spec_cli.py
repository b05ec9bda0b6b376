"""`transport import DIR --complete` read against docs/import-format.md ("Complete exports"),
sentence by sentence, through the command line (SQLite, or PostgreSQL with
TRANSPORT_TEST_DATABASE_URL): pupils not listed become left and are never deleted; the
cap (more than 10% of a table's rows by default) refuses, writing nothing at all;
--allow-large-removal lets the same bundle through; --dry-run shows what would go, within
the cap and over it, and writes nothing; files that are absent are not touched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.bundles import award, pupil, write_bundle
from tests.cli.test_complete_import_cli import county, imported, run, story


@pytest.fixture
def env(db_url: str) -> dict[str, str]:
    return {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "220"}


def audit_log(env: dict[str, str]) -> list[dict[str, Any]]:
    code, out, err = run(env, "audit", "--format", "json", "--limit", "10000")
    assert code == 0, err
    events: list[dict[str, Any]] = json.loads(out)
    return events


def test_pupils_not_listed_become_left_and_are_never_deleted(
    tmp_path: Path, env: dict[str, str]
) -> None:
    imported(env, tmp_path / "v1", county())
    code, files, err = imported(env, tmp_path / "v2", county(without=("P07",)), "--complete")
    assert code == 0 and files["pupils.csv"]["removed"] == 1, err
    assert story(env, "P07")["pupil"]["status"] == "left"

    # Still not listed the night after: still there, still left, not counted again.
    code, files, err = imported(env, tmp_path / "v3", county(without=("P07",)), "--complete")
    assert code == 0 and files["pupils.csv"]["removed"] == 0, err
    kept = story(env, "P07")
    assert kept["pupil"]["status"] == "left" and kept["pupil"]["first_name"] == "Sam"

    # Listed again: the record is theirs again, active.
    code, files, err = imported(env, tmp_path / "v4", county(), "--complete")
    assert code == 0 and files["pupils.csv"]["updated"] == 1, err
    assert story(env, "P07")["pupil"]["status"] == "active"


def test_over_the_cap_nothing_at_all_is_written_unless_allowed(
    tmp_path: Path, env: dict[str, str]
) -> None:
    imported(env, tmp_path / "v1", county())
    # 2 of 20 is 10%: not more than the default cap, so it goes through.
    code, files, err = imported(env, tmp_path / "v2", county(without=("P01", "P02")), "--complete")
    assert code == 0 and files["awards.csv"]["removed"] == 2, err

    # 3 more of the 18 still active, with a new pupil (19 rows): 16%, over the cap. The
    # same bundle also renames P10 and adds P21 with an award: none of it is written.
    files_v3 = county(without=("P01", "P02", "P03", "P04", "P05"))
    files_v3["pupils.csv"][4]["first_name"] = "Samira"  # P10
    assert files_v3["pupils.csv"][4]["pupil_ref"] == "P10"
    files_v3["pupils.csv"].append(pupil("P21"))
    files_v3["awards.csv"].append(award("AP21", pupil_ref="P21"))
    before = audit_log(env)
    code, files, err = imported(env, tmp_path / "v3", files_v3, "--complete")
    assert code == 1
    for name in ("pupils.csv", "awards.csv"):
        assert f'"file": "{name}"' in err
    assert "--complete would remove 3 of 19 rows (16%)" in err
    assert "nothing was written" in err and "--allow-large-removal" in err
    assert audit_log(env) == before
    assert story(env, "P03")["pupil"]["status"] == "active"
    assert story(env, "P10")["pupil"]["first_name"] == "Sam"
    code, _, err = run(env, "pupil", "P21", "--as-of", "2026-08-26")
    assert code == 2 and "no pupil 'P21'" in err

    # The council confirms the export: the same bundle with --allow-large-removal.
    code, files, err = imported(env, tmp_path / "v3", files_v3, "--complete",
                                "--allow-large-removal")  # fmt: skip
    assert code == 0, err
    assert files["pupils.csv"]["removed"] == 3 and files["awards.csv"]["removed"] == 3
    assert story(env, "P03")["pupil"]["status"] == "left"
    assert story(env, "P10")["pupil"]["first_name"] == "Samira"
    assert [a["award_ref"] for a in story(env, "P21")["awards"]] == ["AP21"]


def test_the_dry_run_shows_what_would_go_and_writes_nothing(
    tmp_path: Path, env: dict[str, str]
) -> None:
    imported(env, tmp_path / "v1", county())
    before = audit_log(env)
    write_bundle(tmp_path / "v2", county(without=("P07",)))

    code, out, err = run(env, "import", str(tmp_path / "v2"), "--complete", "--dry-run")
    assert code == 0, err
    assert "pupils.csv: would be made left (not listed): P07" in out
    assert "awards.csv: would be removed (not listed): AP07" in out
    assert "applications.csv: would be removed (not listed): APPP07" in out
    assert "arrangements.csv: would be removed (not listed): P07/2026" in out
    assert "nothing written (dry run)" in out

    code, out, err = run(env, "import", str(tmp_path / "v2"), "--complete", "--dry-run",
                         "--format", "json")  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    assert report["written"] is False
    removed = {f["file"]: (f["removed"], f["removed_keys"]) for f in report["files"]}
    assert removed["pupils.csv"] == (1, ["P07"])
    assert removed["awards.csv"] == (1, ["AP07"])
    assert story(env, "P07")["pupil"]["status"] == "active"
    assert len(story(env, "P07")["awards"]) == 1
    assert audit_log(env) == before

    # Over the cap, the dry run says what would go and that the import would be refused.
    write_bundle(tmp_path / "v3", county(without=("P01", "P02", "P03")))
    code, out, err = run(env, "import", str(tmp_path / "v3"), "--complete", "--dry-run")
    assert code == 1
    assert "pupils.csv: would be made left (not listed): P01, P02, P03" in out
    assert "--complete would remove 3 of 20 rows (15%)" in out + err
    assert story(env, "P01")["pupil"]["status"] == "active"
    assert audit_log(env) == before


def test_files_that_are_absent_are_not_touched(tmp_path: Path, env: dict[str, str]) -> None:
    imported(env, tmp_path / "v1", county())
    # Only awards.csv, without AP01: only that award goes; the pupil stays active and
    # keeps their application and arrangement.
    awards_only = {"awards.csv": county(without=("P01",))["awards.csv"]}
    code, files, err = imported(env, tmp_path / "v2", awards_only, "--complete")
    assert code == 0, err
    assert set(files) == {"awards.csv"} and files["awards.csv"]["removed_keys"] == ["AP01"]
    p01 = story(env, "P01")
    assert p01["pupil"]["status"] == "active" and p01["awards"] == []
    assert len(p01["applications"]) == 1 and len(p01["arrangements"]) == 1
