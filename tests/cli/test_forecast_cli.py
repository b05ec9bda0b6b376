"""The backlog forecast where the team reads it: the check's JSON, `transport forecast`,
and the digest's first line when a stage is short."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli import app
from tests.bundles import application, arrangement, small_county, write_bundle

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
    assert text.splitlines()[0].startswith("decide: 2 to do") and "SHORT" in text
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
