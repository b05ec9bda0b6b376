"""`transport audit`: the log read, never changed, through the command line (SQLite, or
PostgreSQL with TRANSPORT_TEST_DATABASE_URL). The actor is the --by name or the OS user,
never a generic "import"."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import app
from tests.bundles import council_terms, pupil, school, small_county, write_bundle

runner = CliRunner()


@pytest.fixture
def env(db_url: str) -> dict[str, str]:
    return {
        "TRANSPORT_DATABASE_URL": db_url,
        "TRANSPORT_CONFIG": "",
        "COLUMNS": "220",
        "LOGNAME": "jo.caseworker",  # what getpass.getuser() reads first
    }


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def county(**p1: Any) -> dict[str, Any]:
    return {
        "schools.csv": [school("100001")],
        "terms.csv": council_terms(),
        "pupils.csv": [pupil("P1", **p1), pupil("P2"), pupil("P10")],
    }


def audit_json(env: dict[str, str], *args: str) -> list[dict[str, Any]]:
    code, out, err = run(env, "audit", "--format", "json", *args)
    assert code == 0, err + out
    rows: list[dict[str, Any]] = json.loads(out)
    return rows


def test_the_importer_is_the_by_name_or_the_os_user_and_events_come_newest_first(
    tmp_path: Path, env: dict[str, str]
) -> None:
    bundle = write_bundle(tmp_path / "v1", county())
    assert run(env, "import", str(bundle))[0] == 0  # no --by: the OS user
    changed = write_bundle(tmp_path / "v2", county(first_name="Samira"))
    code, out, err = run(env, "import", str(changed), "--by", "Priya Shah")
    assert code == 0, err + out

    events = audit_json(env)
    assert [e["actor"] for e in events] == ["Priya Shah", "Priya Shah", "jo.caseworker"]
    assert [(e["action"], e["entity_key"]) for e in events] == [
        ("import", "v2"),
        ("update", "P1"),
        ("import", "v1"),
    ]
    assert events[1]["detail"]["changes"]["first_name"] == ["Sam", "Samira"]
    assert all(e["actor"] != "import" for e in events)
    assert [e["entity_key"] for e in audit_json(env, "--actor", "jo.caseworker")] == ["v1"]
    assert [e["entity_key"] for e in audit_json(env, "--action", "update")] == ["P1"]
    assert len(audit_json(env, "--limit", "2")) == 2


def test_a_pupils_events_are_theirs_only_and_since_filters_by_day(
    tmp_path: Path, env: dict[str, str]
) -> None:
    run(env, "import", str(write_bundle(tmp_path / "v1", county())), "--by", "A")
    files = county(first_name="Samira")
    files["pupils.csv"][1]["first_name"] = "Sid"  # P2 changes too
    files["pupils.csv"][2]["first_name"] = "Tom"  # and P10 ("P1" is a prefix of it)
    run(env, "import", str(write_bundle(tmp_path / "v2", files)), "--by", "B")

    about_p1 = audit_json(env, "--pupil", "P1")
    assert [(e["action"], e["entity_key"]) for e in about_p1] == [("update", "P1")]
    assert audit_json(env, "--since", "2000-01-01") == audit_json(env)
    assert audit_json(env, "--since", "2999-01-01") == []

    code, out, _ = run(env, "audit", "--pupil", "P1", "--format", "csv")
    assert code == 0
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert (row["actor"], row["action"], row["entity"], row["entity_key"]) == (
        "B", "update", "pupils", "P1",
    )  # fmt: skip
    assert row["detail"] == "updated pupil P1: first name Sam → Samira"  # words, as the table

    code, out, _ = run(env, "audit", "--pupil", "P1")
    assert code == 0 and "updated pupil P1:" in out and "P10" not in out


def test_unknown_pupil_and_bad_since_are_usage_errors(tmp_path: Path, env: dict[str, str]) -> None:
    run(env, "import", str(write_bundle(tmp_path / "v1", county())))
    code, _, err = run(env, "audit", "--pupil", "NOPE")
    assert code == 2 and "--pupil NOPE: the record holds no pupil" in err
    assert run(env, "audit", "--since", "yesterday")[0] == 2


def test_a_blank_by_is_refused_and_writes_nothing(tmp_path: Path, env: dict[str, str]) -> None:
    code, _, err = run(env, "import", str(write_bundle(tmp_path / "v1", county())), "--by", " ")
    assert code == 2 and "--by" in err


def test_each_event_is_one_line_in_words_and_json_only_when_asked(
    tmp_path: Path, env: dict[str, str]
) -> None:
    assert run(env, "import", str(write_bundle(tmp_path / "v1", county())))[0] == 0
    changed = write_bundle(tmp_path / "v2", county(first_name="Samira"))
    assert run(env, "import", str(changed), "--by", "Priya Shah")[0] == 0

    code, out, _ = run(env, "audit")
    assert code == 0
    title, *events = out.splitlines()
    assert title == "Audit log, newest first (3):"
    assert len(events) == 3  # one line an event, however long
    assert "{" not in out and '"' not in out  # no JSON
    newest, update, first = (event.split("  ", 2)[1:] for event in events)
    assert newest[0] == update[0] == "Priya Shah" and first[0] == "jo.caseworker"
    assert newest[1].startswith("imported bundle v2: schools.csv unchanged; ")
    assert "pupils.csv 1 updated" in newest[1]
    assert update[1] == "updated pupil P1: first name Sam → Samira"
    assert "pupils.csv 3 added" in first[1]
    assert audit_json(env)[1]["detail"] == {"changes": {"first_name": ["Sam", "Samira"]}}


def test_a_task_done_is_the_os_users_unless_by_names_someone(
    tmp_path: Path, env: dict[str, str]
) -> None:
    assert run(env, "import", str(write_bundle(tmp_path / "b", small_county())))[0] == 0
    assert run(env, "remind", "--as-of", "2026-08-06")[0] == 0  # opens the team's tasks
    first, second, *_ = json.loads(run(env, "tasks", "list", "--format", "json")[1])
    assert run(env, "tasks", "done", str(first["id"]), "--note", "rang the family")[0] == 0
    code, _, err = run(env, "tasks", "done", str(second["id"]), "--note", "x", "--by", " ")
    assert code == 2 and "--by" in err
    done = ["tasks", "done", str(second["id"]), "--note", "emailed", "--by", "Priya Shah"]
    assert run(env, *done)[0] == 0

    assert [e["actor"] for e in audit_json(env, "--action", "done")] == [
        "Priya Shah",
        "jo.caseworker",  # no --by: the OS user, as for imports
    ]
    code, out, _ = run(env, "audit", "--action", "done")
    assert f"jo.caseworker  closed task {first['id']}: note rang the family" in out
