"""`transport simulate` with the council: its options, bad input, and on the demo county
the direction of each what-if (the reminders, the team's pace)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import app
from tests.bundles import application, small_county, write_bundle

runner = CliRunner()
SEASON = ("--from", "2026-05-01", "--to", "2026-09-07", "--reply-rate", "0.3")


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> dict[str, str]:
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "200"}
    files = small_county()
    # Decided in the ten working days before Mon 3 Aug 2026 (from Mon 20 Jul): 0.2 a day.
    files["applications.csv"] = [
        application("APP1", status="approved", decided_on="2026-07-20"),
        application("APP2", pupil_ref="P2", status="refused", decided_on="2026-07-31"),
        application("APP3", pupil_ref="P3", status="received"),
    ]
    folder = write_bundle(tmp_path / "bundle", files)
    assert runner.invoke(app, ["import", str(folder)], env=env).exit_code == 0
    return env


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--team", "decide=abc"), "expected a number of items a working day for decide"),
        (("--team", "chase=5"), "'chase' is not a stage the team works"),
        (("--team", "decide="), "expected STAGE=N or STAGE=+N"),
        (("--team", "decide"), "expected STAGE=N or STAGE=+N"),
        (("--team-from", "2026-08-03"), "--team-from needs --team"),
        (("--team-from", "3 Aug 2026", "--team", "decide=1"), "expected a date as YYYY-MM-DD"),
        (("--unprompted-rate", "1.5"), "--unprompted-rate"),
    ],
)
def test_bad_input_is_exit_2_naming_the_option(
    env: dict[str, str], args: tuple[str, ...], words: str
) -> None:
    code, out, err = run(env, "simulate", "--from", "2026-08-03", "--to", "2026-08-05", *args)
    assert code == 2, out
    assert words in err
    assert args[0] in err
    assert "Traceback" not in err


def test_the_team_flags_in_json_table_and_csv(env: dict[str, str]) -> None:
    code, out, err = run(env, "simulate", "--from", "2026-08-03", "--to", "2026-09-07",
                         "--team", "decide=+10", "--team", "inform=3",
                         "--team-from", "2026-08-10", "--format", "json")  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    decide, inform = data["team"]["decide"], data["team"]["inform"]
    assert data["rates_measured"] == {"as_of": "2026-08-03", "window_working_days": 10}
    assert decide["measured_per_working_day"] == 0.2  # 2 decisions in 10 working days
    assert (decide["per_working_day"], decide["per_working_day_from"]) == (0.2, 10.2)
    # P1's family was told on Mon 20 Jul, the window's first day: 0.1 a day, then 3.
    assert (inform["per_working_day"], inform["per_working_day_from"]) == (0.1, 3.0)
    assert decide["from"] == "2026-08-10" and decide["given"] == "decide=+10"
    assert data["team"]["award"]["measured_per_working_day"] is None
    assert set(data["runs"]) == {"with_reminders", "no_reminders"}
    assert data["unprompted_rate"] == 0.0  # half the reply rate, 0
    # P3's application is decided as the engine recommends: refused (it gives no distance
    # to school, so no test of eligibility is met).
    runs = data["runs"]["with_reminders"]
    assert runs["stages"]["decide"]["worked"] == 1
    assert (runs["totals"]["approved"], runs["totals"]["refused"]) == (0, 1)
    for day, counts in data["first_days"].items():
        assert set(counts) == {"with_reminders", "no_reminders"}, day
        assert set(counts["with_reminders"]) == {"at_risk", "uncovered"}

    code, out, _ = run(env, "simulate", "--from", "2026-08-03", "--to", "2026-09-07",
                       "--no-reminders", "--format", "json")  # fmt: skip
    assert code == 0 and set(json.loads(out)["runs"]) == {"no_reminders"}
    code, out, _ = run(env, "simulate", "--from", "2026-08-03", "--to", "2026-09-07",
                       "--team", "decide=20,arrange=15,inform=30")  # fmt: skip
    assert code == 0
    assert "with reminders" in out and "no reminders" in out and "Clear from" in out
    assert "{" not in out


def totals(data: dict[str, Any], run_name: str, key: str) -> int:
    return sum(counts[run_name][key] for counts in data["first_days"].values())


@pytest.mark.slow
def test_on_the_demo_county_the_reminders_and_the_team_each_help(
    db_url: str, tmp_path: Path
) -> None:
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "200"}
    code, _, err = run(env, "demo", "--year", "2026")
    assert code == 0, err
    code, out, err = run(env, "simulate", *SEASON, "--format", "json")
    assert code == 0, err
    measured = json.loads(out)
    # The reminders: fewer children uncovered (no award) on their first day than without.
    with_ladder = totals(measured, "with_reminders", "uncovered")
    without = totals(measured, "no_reminders", "uncovered")
    assert with_ladder < without
    assert measured["runs"]["no_reminders"]["totals"]["messages"] == 0
    assert measured["team"]["decide"]["measured_per_working_day"] > 0
    # A team that does nothing: more children at risk, and more uncovered, than at the
    # pace the record shows.
    idle = ("--team", "decide=0,award=0,arrange=0,inform=0")
    code, out, err = run(env, "simulate", *SEASON, *idle, "--format", "json")
    assert code == 0, err
    nothing = json.loads(out)
    for name in ("with_reminders", "no_reminders"):
        assert totals(nothing, name, "at_risk") > totals(measured, name, "at_risk")
        assert totals(nothing, name, "uncovered") > totals(measured, name, "uncovered")
        assert nothing["runs"][name]["stages"]["decide"]["worked"] == 0
    # `--no-reminders` alone is the baseline run, the same as the one compared above.
    code, out, err = run(env, "simulate", *SEASON, "--no-reminders", "--format", "json")
    assert code == 0, err
    alone = json.loads(out)
    assert set(alone["runs"]) == {"no_reminders"}
    assert totals(alone, "no_reminders", "uncovered") == without
