"""The backlog forecast where the team reads it: the check's JSON, `transport forecast`,
and the digest's first line when a stage is short."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli import app
from tests.bundles import (
    application,
    arrangement,
    award,
    contact,
    council_terms,
    pupil,
    school,
    small_county,
    write_bundle,
)

runner = CliRunner()


def test_forecast_in_the_check_the_command_and_the_digest(tmp_path: Path, db_url: str) -> None:
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "200"}
    files = small_county()
    # Two applications waiting for a decision; one decided in the last ten working days
    # before Mon 24 Aug 2026 (from Mon 10 Aug): a pace of 0.1 a working day.
    files["applications.csv"] = [
        application("APP1", status="approved", decided_on="2026-08-12"),
        application("APP2", pupil_ref="P2", status="received"),
        application("APP3", pupil_ref="P3", status="assessing"),
    ]
    folder = write_bundle(tmp_path / "bundle", files)
    assert runner.invoke(app, ["import", str(folder)], env=env).exit_code == 0

    check = json.loads(runner.invoke(app, ["check", "--as-of", "2026-08-24", "--format",
                                           "json", "--no-save"], env=env).stdout)  # fmt: skip
    stages = [stage["stage"] for stage in check["forecast"]]
    assert stages == ["chase", "decide", "award", "arrange", "inform", "reach", "dates"]
    decide = check["forecast"][1]
    assert decide["outstanding"] == 2
    assert decide["rate_per_working_day"] == 0.1 and decide["rate_window_working_days"] == 10
    assert decide["due_by"] == "2026-09-02"  # the last working day before Thu 3 Sep
    assert decide["on_track"] is False
    # No arrangement says when it was made: the pace of arranging is unknown, not 0; the
    # record never says when an award was made.
    arrange, award = check["forecast"][3], check["forecast"][2]
    assert arrange["stage"] == "arrange" and arrange["rate_per_working_day"] is None
    assert award["stage"] == "award" and award["rate_per_working_day"] is None
    alone = json.loads(runner.invoke(app, ["forecast", "--as-of", "2026-08-24", "--format",
                                           "json"], env=env).stdout)  # fmt: skip
    assert alone["forecast"] == check["forecast"]
    text = runner.invoke(app, ["forecast", "--as-of", "2026-08-24"], env=env).stdout
    assert text.splitlines()[0].startswith("decide: SHORT: 2 to decide by Wed 2 Sep: ")
    digest = runner.invoke(app, ["digest", "--as-of", "2026-08-24"], env=env).stdout
    assert digest.startswith("[SHORT: decide")
    assert 'THE TEAM IS SHORT ON "DECIDE"' in digest.splitlines()[3]


def test_the_pace_of_arranging_is_measured_from_arranged_on(tmp_path: Path, db_url: str) -> None:
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "200"}
    files = small_county()
    # The window before Mon 24 Aug 2026: the ten working days from Mon 10 Aug to Fri 21 Aug.
    files["arrangements.csv"] = [
        arrangement("P1", arranged_on="2026-08-10"),  # the window's first day: counted
        arrangement("P3", arranged_on="2026-08-21", family_informed_on=""),  # counted
        arrangement("P2", year="2025/26", arranged_on="2026-08-07"),  # the Friday before
        arrangement("P2", arranged_on="2026-08-24"),  # today: not in the window
    ]
    folder = write_bundle(tmp_path / "bundle", files)
    assert runner.invoke(app, ["import", str(folder)], env=env).exit_code == 0
    out = runner.invoke(app, ["forecast", "--as-of", "2026-08-24", "--format", "json"], env=env)
    stages = {stage["stage"]: stage for stage in json.loads(out.stdout)["forecast"]}
    assert stages["arrange"]["rate_per_working_day"] == 0.2  # 2 in 10 working days
    assert stages["award"]["rate_per_working_day"] is None


def test_a_fresh_install_reads_no_recent_activity_and_one_banner(
    tmp_path: Path, db_url: str
) -> None:
    """A record just imported shows no work done in the window: no stage reads "0 a
    working day" or "never"; what is needed is said; a due day past reads "overdue since";
    the digest opens with one banner, for the worst stage."""
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "200"}
    refs = ("NC001", "NC002", "NC003")
    files = {
        "schools.csv": [school()],
        "terms.csv": council_terms(),
        "pupils.csv": [pupil(ref) for ref in refs],
        "contacts.csv": [
            contact(ref, name=f"Parent {n}", email=f"p{n}@example.com", mobile=f"07700 90012{n}")
            for n, ref in enumerate(refs)
        ],
        # NC001 and NC002 travel until Fri 4 Dec; NC003 all year, the family not yet told.
        "awards.csv": [
            award("A1", pupil_ref="NC001", valid_from="2026-09-01", valid_until="2026-12-04"),
            award("A2", pupil_ref="NC002", valid_from="2026-09-01", valid_until="2026-12-04"),
            award("A3", pupil_ref="NC003", valid_from="2026-09-01", valid_until="2027-08-31"),
        ],
        "applications.csv": [application("APP6", pupil_ref="NC002", received_on="2026-11-02")],
        "arrangements.csv": [
            arrangement("NC001"),
            arrangement("NC002"),
            arrangement("NC003", family_informed_on=""),
        ],
    }
    folder = write_bundle(tmp_path / "bundle", files)
    assert runner.invoke(app, ["import", str(folder)], env=env).exit_code == 0

    args = ["forecast", "--as-of", "2026-11-20"]
    stages = {s["stage"]: s for s in json.loads(
        runner.invoke(app, [*args, "--format", "json"], env=env).stdout)["forecast"]}  # fmt: skip
    decide = stages["decide"]
    assert decide["rate_per_working_day"] is None and decide["clears_on"] is None
    assert decide["on_track"] is None  # due in 11 working days: further than the alert's 5
    assert stages["inform"]["on_track"] is False  # due Thu 19 Nov, yesterday
    text = runner.invoke(app, args, env=env).stdout
    assert "decide: 1 to decide by Fri 4 Dec: 0.1 a working day; no recent activity" in text
    assert "inform: SHORT: 1 to inform, overdue since Thu 19 Nov" in text
    assert "never" not in text and " 0 a working day" not in text

    digest = runner.invoke(app, ["digest", "--as-of", "2026-11-20"], env=env).stdout
    assert digest.startswith("[SHORT: inform] ")
    assert digest.count("THE TEAM IS SHORT") == 1 and "never" not in digest
    # A week on, chase and decide are due within 5 working days too: still one banner,
    # now for the stage overdue (inform, due first).
    later = runner.invoke(app, ["digest", "--as-of", "2026-11-30"], env=env).stdout
    assert later.count("THE TEAM IS SHORT") == 1 and 'SHORT ON "INFORM"' in later
