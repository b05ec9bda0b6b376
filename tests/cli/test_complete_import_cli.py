"""`transport import DIR --complete` through the command line (SQLite, or PostgreSQL with
TRANSPORT_TEST_DATABASE_URL): every file present is the council's whole export of its
kind. Pupils it does not list become left (never deleted); awards, applications and
arrangements it does not list are removed, each audited with its row; a removal of more
than [import] max_removed_share of a table's rows is refused, writing nothing, unless
--allow-large-removal; --dry-run shows what would go."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import app
from tests.bundles import (
    application,
    arrangement,
    award,
    council_terms,
    pupil,
    school,
    write_bundle,
)

runner = CliRunner()
REFS = [f"P{n:02}" for n in range(1, 21)]  # 20 pupils: one is 5%, three are 15%
FACTS = {"walking_distance_miles": "3.4", "road_distance_miles": "3.9",
         "nearest_suitable_school": "yes", "kind": "renewal"}  # fmt: skip


@pytest.fixture
def env(db_url: str) -> dict[str, str]:
    return {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "220"}


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def county(without: tuple[str, ...] = ()) -> dict[str, Any]:
    refs = [ref for ref in REFS if ref not in without]
    return {
        "schools.csv": [school("100001")],
        "terms.csv": council_terms(),
        "pupils.csv": [pupil(ref) for ref in refs],
        "awards.csv": [award(f"A{ref}", pupil_ref=ref) for ref in refs],
        "applications.csv": [application(f"APP{ref}", pupil_ref=ref, **FACTS) for ref in refs],
        "arrangements.csv": [arrangement(ref) for ref in refs],
    }


def imported(
    env: dict[str, str], folder: Path, files: dict[str, Any], *options: str
) -> tuple[int, dict[str, Any], str]:
    bundle = write_bundle(folder, files)
    code, out, err = run(env, "import", str(bundle), "--format", "json", "--by", "Jo", *options)
    report = json.loads(out)
    return code, {f["file"]: f for f in report["files"]}, err + json.dumps(report["errors"])


def story(env: dict[str, str], ref: str) -> dict[str, Any]:
    code, out, err = run(env, "pupil", ref, "--as-of", "2026-08-26", "--format", "json")
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def test_a_pupil_no_longer_exported_becomes_left_and_their_rows_are_removed_audited(
    tmp_path: Path, env: dict[str, str]
) -> None:
    assert imported(env, tmp_path / "v1", county())[0] == 0
    # Without --complete an export that leaves P05 out changes nothing.
    code, files, _ = imported(env, tmp_path / "v2", county(without=("P05",)))
    assert code == 0 and all(f["removed"] == 0 for f in files.values())

    code, files, err = imported(env, tmp_path / "v3", county(without=("P05",)), "--complete")
    assert code == 0, err
    for name in ("pupils.csv", "awards.csv", "applications.csv", "arrangements.csv"):
        assert files[name]["removed"] == 1, name
    assert files["pupils.csv"]["removed_keys"] == ["P05"]
    assert files["arrangements.csv"]["removed_keys"] == ["P05/2026"]

    left = story(env, "P05")  # never deleted
    assert left["pupil"]["status"] == "left"
    assert left["awards"] == [] and left["applications"] == [] and left["arrangements"] == []
    assert story(env, "P06")["pupil"]["status"] == "active"

    code, out, _ = run(env, "audit", "--pupil", "P05", "--format", "json")
    events = {(e["action"], e["entity"]): e for e in json.loads(out)}
    assert events[("left", "pupils")]["detail"]["status"] == ["active", "left"]
    assert events[("remove", "arrangements")]["detail"]["row"]["operator"] == "County Coaches"
    code, out, _ = run(env, "audit", "--action", "remove", "--format", "json")
    removed = {(e["entity"], e["entity_key"]): e for e in json.loads(out)}
    assert set(removed) == {
        ("awards", "P05/AP05"), ("applications", "P05/APPP05"), ("arrangements", "P05/2026"),
    }  # fmt: skip
    assert removed[("awards", "P05/AP05")]["actor"] == "Jo"
    assert removed[("awards", "P05/AP05")]["detail"]["row"]["valid_until"] == "2026-08-31"

    # The same complete export again: nothing more to remove.
    code, files, err = imported(env, tmp_path / "v4", county(without=("P05",)), "--complete")
    assert code == 0 and all(f["removed"] == 0 for f in files.values()), err


def test_a_large_removal_is_refused_writing_nothing_unless_allowed(
    tmp_path: Path, env: dict[str, str]
) -> None:
    imported(env, tmp_path / "v1", county())
    smaller = county(without=("P01", "P02", "P03"))  # 15% of each table

    code, files, err = imported(env, tmp_path / "v2", smaller, "--complete")
    assert code == 1
    assert '"file": "pupils.csv"' in err and "--complete would remove 3 of 20 rows (15%)" in err
    assert "--allow-large-removal" in err
    assert story(env, "P01")["pupil"]["status"] == "active"
    assert len(story(env, "P01")["awards"]) == 1

    # The dry run shows what would go, and writes nothing.
    code, out, err = run(env, "import", str(tmp_path / "v2"), "--complete", "--dry-run",
                         "--allow-large-removal")  # fmt: skip
    assert code == 0, err
    assert "pupils.csv: would be made left (not listed): P01, P02, P03" in out
    assert "awards.csv: would be removed (not listed): AP01, AP02, AP03" in out
    assert story(env, "P01")["pupil"]["status"] == "active"

    code, files, err = imported(env, tmp_path / "v3", smaller, "--complete",
                                "--allow-large-removal")  # fmt: skip
    assert code == 0, err
    assert files["awards.csv"]["removed"] == 3
    assert story(env, "P01")["pupil"]["status"] == "left"


def test_the_cap_is_configurable_and_allow_needs_complete(
    tmp_path: Path, env: dict[str, str]
) -> None:
    imported(env, tmp_path / "v1", county())
    config = tmp_path / "transport.toml"
    config.write_text("[import]\nmax_removed_share = 0.2\n")
    code, files, err = imported(
        {**env, "TRANSPORT_CONFIG": str(config)},
        tmp_path / "v2",
        county(without=("P01", "P02", "P03")),
        "--complete",
    )
    assert code == 0, err and files["pupils.csv"]["removed"] == 3
    code, _, err = run(env, "import", str(tmp_path / "v2"), "--allow-large-removal")
    assert code == 2 and "--complete" in err


def test_an_award_made_here_for_a_decision_that_stands_is_kept(
    tmp_path: Path, env: dict[str, str]
) -> None:
    imported(env, tmp_path / "v1", county())
    code, out, err = run(env, "applications", "decide", "APPP01", "--approve", "--by", "J Smith")
    assert code == 0, err + out
    assert {a["award_ref"] for a in story(env, "P01")["awards"]} == {"AP01", "APPP01-A"}

    # The council's complete export does not know the award this service made.
    code, files, err = imported(env, tmp_path / "v2", county(), "--complete")
    assert code == 0, err
    assert files["awards.csv"]["removed"] == 0
    assert {a["award_ref"] for a in story(env, "P01")["awards"]} == {"AP01", "APPP01-A"}


def test_audit_of_a_pupil_finds_their_removed_awards_and_applications(
    tmp_path: Path, env: dict[str, str]
) -> None:
    imported(env, tmp_path / "v1", county())
    changed = county()
    changed["awards.csv"][4]["valid_until"] = "2026-07-31"  # AP05 is updated first
    code, files, err = imported(env, tmp_path / "v2", changed)
    assert code == 0 and files["awards.csv"]["updated"] == 1, err

    # P05 leaves the export; only P06's award goes from it (P06 stays).
    smaller = county(without=("P05",))
    smaller["awards.csv"] = [a for a in smaller["awards.csv"] if a["award_ref"] != "AP06"]
    code, files, err = imported(env, tmp_path / "v3", smaller, "--complete")
    assert code == 0 and files["awards.csv"]["removed"] == 2, err

    def about(ref: str) -> set[tuple[str, str, str]]:
        code, out, err = run(env, "audit", "--pupil", ref, "--format", "json")
        assert code == 0, err
        return {(e["action"], e["entity"], e["entity_key"]) for e in json.loads(out)}

    p05 = about("P05")
    assert ("update", "awards", "AP05") in p05  # the award's history before its removal
    assert ("remove", "awards", "P05/AP05") in p05
    assert ("remove", "applications", "P05/APPP05") in p05
    assert ("left", "pupils", "P05") in p05
    assert about("P06") == {("remove", "awards", "P06/AP06")}
    assert not any(key.startswith(("P05", "AP05")) for _, _, key in about("P06"))

    # The child's story reads the same events.
    shown = {(e["action"], e["entity_key"]) for e in story(env, "P05")["audit"]}
    assert {("update", "AP05"), ("remove", "P05/AP05"), ("remove", "P05/APPP05")} <= shown
