"""The check's table fits the terminal and never cuts what the team acts on: every
reference and every reason code is printed whole, at 80 columns and at 200."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.bundles import application, award, contact, pupil, small_county, write_bundle

runner = CliRunner()


@pytest.mark.parametrize("columns", [80, 200])
def test_references_and_reasons_are_never_cut(tmp_path: Path, db_url: str, columns: int) -> None:
    files = small_county()
    files["pupils.csv"].append(pupil("P-LONGREF-0004", first_name="Maximilian-Alexander"))
    files["applications.csv"].append(
        application("APP4", pupil_ref="P-LONGREF-0004", status="assessing", year="2026/27")
    )
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": str(columns)}
    folder = write_bundle(tmp_path / "bundle", files)
    assert runner.invoke(app, ["import", str(folder)], env=env).exit_code == 0
    listed = runner.invoke(app, ["check", "--as-of", "2026-08-24", "--format", "json"], env=env)
    children = json.loads(listed.stdout)["at_risk"]
    reasons = {reason for child in children for reason in child["reasons"]}
    assert len(children) >= 4 and "APPLICATION_UNDECIDED" in reasons
    table = runner.invoke(app, ["check", "--as-of", "2026-08-24", "--limit", "0"], env=env)
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert max(len(line) for line in lines) <= columns
    words = {word.strip("│┃ ") for line in lines for word in line.split()}
    for child in children:
        assert child["pupil_ref"] in words, child["pupil_ref"]
    for reason in reasons:
        assert reason in words, reason
    assert "…" not in "".join(line for line in lines if "P-LONGREF" in line)


LONG_EMAIL = "catherine.fitzwilliam-hargreaves@familymail.example.co.uk"


@pytest.fixture
def county(tmp_path: Path, db_url: str) -> dict[str, str]:
    """A county whose values are as long as real ones: a long email, a landline and a
    postal address, long references and codes; the ladder has run (tasks and messages)."""
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": ""}
    files = small_county()
    files["pupils.csv"].append(
        pupil("NC001", first_name="Amelia", last_name="Fitzwilliam-Hargreaves",
              next_school_urn="100002", year_group="6", dob="2015-03-02")
    )  # fmt: skip
    files["contacts.csv"] += [  # NC001's mother is P2's too (P2's reminder goes to her)
        contact(ref, name="Catherine Fitzwilliam-Hargreaves", email=LONG_EMAIL,
                mobile="07700 900461", landline="01632 960123",
                address_line_1="The Old Rectory, 14 Church Lane", town="Long Stratton",
                postcode="NR15 2XJ")
        for ref in ("NC001", "P2")
    ]  # fmt: skip
    files["awards.csv"].append(
        award("AWD-2026-000001", pupil_ref="NC001", basis="STATUTORY_DISTANCE",
              travel_mode="shared_vehicle")
    )  # fmt: skip
    files["applications.csv"].append(
        application("APP000006", pupil_ref="NC001", status="received", year="2026/27",
                    kind="phase_transfer", school_urn="100002")
    )  # fmt: skip
    folder = write_bundle(tmp_path / "bundle", files)
    assert runner.invoke(app, ["import", str(folder)], env=env).exit_code == 0
    assert runner.invoke(app, ["remind", "--as-of", "2026-08-24"], env=env).exit_code == 0
    return env


# Each command the team reads, and values in it that must never be split across lines.
COMMANDS = {
    "tasks": (["tasks", "list"], ["2026-09-03", "NC001", "07700 900461", "01632 960123"]),
    "outbox": (["outbox", "list"], [LONG_EMAIL, "+447700900461", "P2"]),
    "contacts": (["contacts", "list"], [LONG_EMAIL, "07700 900461", "NC001"]),
    "pupil": (
        ["pupil", "NC001", "--as-of", "2026-08-24"],
        [
            LONG_EMAIL,
            "07700 900461",
            "01632 960123",
            "NR15 2XJ",
            "AWD-2026-000001",
            "STATUTORY_DISTANCE",
            "APP000006",
            "31 Aug 2026",
        ],
    ),
    "check": (["check", "--as-of", "2026-08-24", "--no-save"], ["NC001", "APPLICATION_UNDECIDED"]),
    "calendars": (["calendars", "--as-of", "2026-08-24"], ["Thu 3 Sep 2026"]),
    "health": (["health"], []),
    "replies": (["replies", "list"], []),
}


@pytest.mark.parametrize("name", COMMANDS)
def test_no_value_is_split_at_80_columns_nor_in_a_pipe(county: dict[str, str], name: str) -> None:
    """At 80 columns every line fits and every date, number, reference and email is whole
    on one line; narrow columns gave way (prose wraps, optional columns are left out with a
    note, or a record is a block). To a pipe or a file (no COLUMNS) nothing is limited to
    80 columns: the same values, whole, and no column left out."""
    args, values = COMMANDS[name]
    narrow = runner.invoke(app, args, env={**county, "COLUMNS": "80"})
    piped = runner.invoke(app, args, env={**county, "COLUMNS": None})
    assert narrow.exit_code == piped.exit_code, narrow.stdout + narrow.stderr
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80, narrow.stdout
    for out in (narrow.stdout, piped.stdout):
        assert "…" not in out
        for expected in values:
            assert any(expected in line for line in out.splitlines()), (expected, out)
    assert "Not shown at this width" not in piped.stdout and "── 1 of" not in piped.stdout


def test_a_pipe_is_as_wide_as_its_content(county: dict[str, str]) -> None:
    """`transport pupil NC001 > file`: the contact's row is one line, however long."""
    piped = runner.invoke(app, ["pupil", "NC001"], env={**county, "COLUMNS": None})
    [row] = [line for line in piped.stdout.splitlines() if LONG_EMAIL in line]
    assert len(row) > 80 and "07700 900461" in row and "Catherine" in row


def test_times_are_shown_in_uk_time_and_json_keeps_the_offset(county: dict[str, str]) -> None:
    """The outbox's and the health's times read in Europe/London time with their zone
    (BST in summer), never UTC; JSON keeps ISO with the offset."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    env = {**county, "COLUMNS": "200"}
    rows = json.loads(runner.invoke(app, ["outbox", "list", "--format", "json"], env=env).stdout)
    created = datetime.fromisoformat(rows[0]["created_at"])
    assert created.utcoffset() is not None  # ISO with its offset
    local = created.astimezone(ZoneInfo("Europe/London"))
    table = runner.invoke(app, ["outbox", "list"], env=env).stdout
    assert f"{local:%Y-%m-%d %H:%M} {local.tzname()}" in table and "UTC" not in table
    health = runner.invoke(app, ["health"], env=env).stdout
    assert "UTC" not in health and local.tzname() in health
    check = runner.invoke(app, ["check", "--as-of", "2026-08-24", "--no-save"], env=env).stdout
    assert "UTC" not in check and "last imported" in check
