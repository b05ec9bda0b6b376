"""The commands through the root app, with their exit codes and formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.bundles import application, award, pupil, small_county, write_bundle
from transport.db.schema import HEAD

runner = CliRunner()


@pytest.fixture
def env(db_url: str) -> dict[str, str]:
    return {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "220"}


@pytest.fixture
def county(tmp_path: Path, env: dict[str, str]) -> Path:
    folder = write_bundle(tmp_path / "bundle", small_county())
    result = runner.invoke(app, ["import", str(folder)], env=env)
    assert result.exit_code == 0, result.output
    return folder


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def check_json(env: dict[str, str], *args: str) -> dict:
    code, out, err = run(env, "check", "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("check", "import", "demo", "generate", "db"):
        assert command in result.stdout


def test_db_upgrade_then_current(empty_db_url: str) -> None:
    env = {"TRANSPORT_DATABASE_URL": empty_db_url, "TRANSPORT_CONFIG": ""}
    code, out, _ = run(env, "db", "upgrade")
    assert code == 0 and f"revision {HEAD} (was empty)" in out
    code, out, _ = run(env, "db", "current")
    assert code == 0 and out.startswith(HEAD)


def test_the_first_import_into_a_database_nobody_migrated_migrates_it(
    empty_db_url: str, tmp_path: Path
) -> None:
    env = {"TRANSPORT_DATABASE_URL": empty_db_url, "TRANSPORT_CONFIG": ""}
    folder = write_bundle(tmp_path / "bundle", small_county())
    code, out, err = run(env, "import", str(folder))
    assert code == 0, out + err
    code, out, _ = run(env, "db", "current")
    assert code == 0 and out.startswith(HEAD)


def test_import_reports_counts_and_reimport_changes_nothing(
    county: Path, env: dict[str, str]
) -> None:
    code, out, _ = run(env, "import", str(county), "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["ok"] and report["written"]
    assert {f["file"]: (f["added"], f["updated"]) for f in report["files"]}["pupils.csv"] == (0, 0)
    assert all(f["unchanged"] == f["rows"] for f in report["files"])


def test_a_bad_bundle_exits_1_and_names_every_error(tmp_path: Path, env: dict[str, str]) -> None:
    files = small_county()
    files["pupils.csv"][0]["date_of_birth"] = "31/02/2016"
    files["contacts.csv"][0]["mobile"] = "020 7946 0000"
    folder = write_bundle(tmp_path / "bad", files)
    code, _, err = run(env, "import", str(folder))
    assert code == 1
    assert "pupils.csv, line 2, column date_of_birth" in err
    assert "contacts.csv, line 2, column mobile" in err
    assert "nothing was written" in err
    # Nothing was written, so nothing was ever imported: the check gives no all-clear.
    code, out, err = run(env, "check", "--as-of", "2026-08-24", "--format", "json", "--no-save")
    assert code == 2 and out == ""
    assert "no data" in err and "transport import" in err


def test_a_failed_import_prints_each_error_on_one_line_and_no_counts(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """Read as a log (no terminal, 80 columns): an error is one line, whole, so a search
    for its file and value finds it; no table of rows "added" when nothing was."""
    files = small_county()
    files["pupils.csv"][0]["date_of_birth"] = "31/02/2016"
    folder = write_bundle(tmp_path / "bad", files)
    code, out, err = run({**env, "COLUMNS": "80"}, "import", str(folder))
    assert code == 1
    lines = [line for line in err.splitlines() if "column date_of_birth" in line]
    assert len(lines) == 1 and len(lines[0]) > 80
    assert lines[0].startswith("error: pupils.csv, line 2") and "'31/02/2016'" in lines[0]
    assert "Added" not in out and "Unchanged" not in out


def test_a_file_name_with_a_line_break_is_noted_on_one_line(
    tmp_path: Path, env: dict[str, str]
) -> None:
    folder = write_bundle(tmp_path / "bundle", small_county())
    (folder / "notes\nfrom the office.csv").write_text("x\n")
    code, out, err = run(env, "import", str(folder))
    assert code == 0, err
    [note] = [line for line in out.splitlines() if "is not a bundle file" in line]
    assert note == "note: notes\ufffdfrom the office.csv is not a bundle file; ignored"


def test_dry_run_writes_nothing(tmp_path: Path, env: dict[str, str]) -> None:
    folder = write_bundle(tmp_path / "b", small_county())
    code, out, _ = run(env, "import", str(folder), "--dry-run")
    assert code == 0 and "dry run" in out
    code, out, err = run(env, "check", "--as-of", "2026-08-24", "--format", "json")
    assert code == 2 and "no data" in err  # a dry run imports nothing


def test_check_json_follows_the_spec(county: Path, env: dict[str, str]) -> None:
    data = check_json(env, "--as-of", "2026-08-24")
    assert data["as_of"] == "2026-08-24"
    assert data["horizon_days"] == 120
    counts = data["counts"]
    got = (counts["in_scope"], counts["at_risk"], counts["high"], counts["critical"])
    assert got == (3, 3, 3, 0)
    items = {item["pupil_ref"]: item for item in data["at_risk"]}
    # Autumn 2026 starts Thursday 3 September: 10 days after Monday 24 August.
    assert items["P1"] == {
        "pupil_ref": "P1",
        "school_urn": "100001",
        "risk_date": "2026-09-03",
        "days_until": 10,
        "severity": "high",
        "reasons": ["AWARD_MISSING"],
        "next_school_urn": None,
        "uncovered_from": "2026-09-03",
        "uncovered_from_assumed": False,  # a known day, of the autumn term (issue 21)
        "uncovered_term": "autumn",
        "pupil_name": "Sam O'Brien",  # names where people read ([check] names_in_exports)
        "school_name": "Oak Primary",
    }
    assert items["P2"]["reasons"] == ["NO_APPLICATION"]
    assert items["P2"]["next_school_urn"] == "100002"
    assert [item["pupil_ref"] for item in data["at_risk"]] == ["P1", "P2", "P3"]


def test_names_can_be_left_out_of_the_exports(
    county: Path, env: dict[str, str], tmp_path: Path
) -> None:
    config = tmp_path / "refs-only.toml"
    config.write_text("[check]\nnames_in_exports = false\n")
    refs_only = {**env, "TRANSPORT_CONFIG": str(config)}
    data = check_json(refs_only, "--as-of", "2026-08-24")
    assert all("pupil_name" not in item for item in data["at_risk"])
    code, out, _ = run(refs_only, "check", "--as-of", "2026-08-24", "--format", "csv")
    assert code == 0 and "Sam" not in out and "Oak Primary" not in out
    code, out, _ = run(env, "check", "--as-of", "2026-08-24", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["pupil_name"] == "Sam O'Brien" and rows[0]["school_name"] == "Oak Primary"


def test_horizon_and_school_filter(county: Path, env: dict[str, str]) -> None:
    assert check_json(env, "--as-of", "2026-08-24", "--horizon", "9")["counts"]["at_risk"] == 0
    only = check_json(env, "--as-of", "2026-08-24", "--school", "100002")
    assert sorted(item["pupil_ref"] for item in only["at_risk"]) == ["P2", "P3"]
    assert only["counts"]["in_scope"] == 2


def test_fail_on_severity(county: Path, env: dict[str, str]) -> None:
    # 24 Aug: risk on 3 Sep is 10 days away, "high".
    assert run(env, "check", "--as-of", "2026-08-24", "--fail-on", "critical")[0] == 0
    assert run(env, "check", "--as-of", "2026-08-24", "--fail-on", "high")[0] == 1
    assert run(env, "check", "--as-of", "2026-08-24", "--fail-on", "low")[0] == 1
    # 28 Aug: 6 days away, "critical".
    assert run(env, "check", "--as-of", "2026-08-28", "--fail-on", "critical")[0] == 1


def test_usage_and_config_errors_exit_2(county: Path, env: dict[str, str], tmp_path: Path) -> None:
    assert run(env, "check", "--as-of", "24 Aug 2026")[0] == 2
    assert run(env, "check", "--fail-on", "panic")[0] == 2
    assert run(env, "check", "--format", "xml")[0] == 2
    bad = tmp_path / "bad.toml"
    bad.write_text("[risk]\nhorizon_days = 'x'\n")
    code, _, err = run(env, "--config", str(bad), "check")
    assert code == 2 and "risk.horizon_days" in err
    code, _, err = run({**env, "TRANSPORT_CONFIG": str(bad)}, "check")
    assert code == 2 and "risk.horizon_days" in err


def test_csv_is_safe_for_spreadsheets(tmp_path: Path, env: dict[str, str]) -> None:
    files = small_county()
    files["pupils.csv"].append(pupil("=HYPERLINK(1)"))
    files["awards.csv"].append(award("A9", pupil_ref="=HYPERLINK(1)"))
    run(env, "import", str(write_bundle(tmp_path / "b", files)))
    code, out, _ = run(env, "check", "--as-of", "2026-08-24", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0].keys() >= {
        "pupil_ref",
        "school_urn",
        "risk_date",
        "days_until",
        "severity",
        "reasons",
    }
    refs = [row["pupil_ref"] for row in rows]
    assert "'=HYPERLINK(1)" in refs and "=HYPERLINK(1)" not in refs


def test_table_puts_the_most_urgent_first_with_names(county: Path, env: dict[str, str]) -> None:
    code, out, _ = run(env, "check", "--as-of", "2026-08-24")
    assert code == 0
    assert "3 at risk" in out and "By reason" in out and "By school" in out
    assert "Sam O'Brien" in out
    assert out.index("P1") < out.index("P3")


def test_new_since_last_lists_only_children_newly_at_risk(
    county: Path, env: dict[str, str], tmp_path: Path
) -> None:
    first = check_json(env, "--as-of", "2026-08-24")
    assert first["compared_with"] is None
    files = {
        "pupils.csv": [pupil("P4")],
        "awards.csv": [award("A4", pupil_ref="P4")],
        "applications.csv": [application("APP4", pupil_ref="P4", status="assessing")],
    }
    run(env, "import", str(write_bundle(tmp_path / "more", files)))
    second = check_json(env, "--as-of", "2026-08-25", "--new-since-last")
    assert second["compared_with"]["as_of"] == "2026-08-24"
    assert [item["pupil_ref"] for item in second["at_risk"]] == ["P4"]
    assert second["at_risk"][0]["new"] is True
    assert second["counts"]["new"] == 1 and second["counts"]["at_risk"] == 4


def test_generate_writes_a_bundle_that_imports(tmp_path: Path, env: dict[str, str]) -> None:
    out = tmp_path / "gen"
    code, text, _ = run(env, "generate", "--pupils", "120", "--seed", "3", "--out", str(out))
    assert code == 0 and "pupils.csv: 120 rows" in text
    assert run(env, "import", str(out))[0] == 0


def test_demo_builds_a_county_and_runs_the_check(env: dict[str, str]) -> None:
    code, out, err = run(env, "demo", "--pupils", "150", "--year", "2026")
    assert code == 0, err
    assert "as of Wed 26 Aug 2026" in out
    assert "children in scope" in out
    # Running it again on its own database is fine; on real data it refuses.
    assert run(env, "demo", "--pupils", "150", "--year", "2026")[0] == 0


def test_demo_suggests_commands_each_on_one_line_however_narrow(env: dict[str, str]) -> None:
    """Commands to copy and paste: never cut in two, even in a 40-column window."""
    code, out, err = run({**env, "COLUMNS": "40"}, "demo", "--pupils", "150", "--year", "2026")
    assert code == 0, err
    suggested = [line.strip() for line in out.split("Try next:", 1)[1].strip().splitlines()]
    program = suggested[-1].removesuffix(" --help")
    assert any(len(line) > 40 for line in suggested)  # long enough to have been cut
    assert all(line.startswith(f"{program} ") for line in suggested), suggested
    assert f"{program} check --as-of 2026-08-26 --format html --output report.html" in suggested


def test_demo_refuses_a_database_with_real_data(county: Path, env: dict[str, str]) -> None:
    code, _, err = run(env, "demo", "--pupils", "50")
    assert code == 2 and "--force" in err


def test_an_unreachable_database_exits_2_without_its_password(tmp_path: Path) -> None:
    env = {"TRANSPORT_DATABASE_URL": "postgresql://u:s3cret@127.0.0.1:1/x", "TRANSPORT_CONFIG": ""}
    code, _, err = run(env, "check")
    assert code == 2 and "cannot use the database" in err and "s3cret" not in err
    missing = {"TRANSPORT_DATABASE_URL": f"sqlite:///{tmp_path}/no/such/dir/x.db"}
    assert run({**env, **missing}, "check")[0] == 2


def test_a_calendar_without_terms_for_the_window_is_a_warning(
    tmp_path: Path, env: dict[str, str]
) -> None:
    files = small_county()
    files["terms.csv"] = [
        t
        for t in files["terms.csv"]
        if not (t["calendar"] == "trust" and t["academic_year"] == "2026/27")
    ]
    run(env, "import", str(write_bundle(tmp_path / "b", files)))
    data = check_json(env, "--as-of", "2026-08-24")
    assert len(data["warnings"]) == 1
    assert "'trust'" in data["warnings"][0] and "2026/27" in data["warnings"][0]
    # Since issue 21: a gap, said first, with the days the check assumes for it.
    assert [(g["calendar"], g["academic_year"], g["terms"]) for g in data["calendar_gaps"]] == [
        ("trust", "2026/27", ["autumn", "spring", "summer"])
    ]
    code, out, _ = run(env, "check", "--as-of", "2026-08-24")
    assert code == 0
    assert out.index("TERM DATES MISSING") < out.index("records last imported")
    assert "  trust 2026/27: no autumn, spring, summer dates" in out
