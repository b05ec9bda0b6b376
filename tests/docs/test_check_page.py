"""The check's documentation says what the code does: the README names every severity
and every reason with the meaning the check itself gives, and docs/check.md's JSON and
CSV examples are what `transport check` prints for the demo county (the same child in
both, with the same keys and columns)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import app
from tests.docs.test_docs import ROOT, table_rows
from transport.vocabulary import REASON_HELP, Reason, Severity

README = ROOT / "README.md"
CHECK = ROOT / "docs" / "check.md"
AS_OF = "2026-08-26"  # the page's examples: `transport demo`, then the check as of this day


def test_the_readme_names_every_severity_and_every_reason_as_the_check_does() -> None:
    text = README.read_text(encoding="utf-8")
    reading = text[text.index("### Reading the check") :]
    severities = table_rows(reading)
    assert [row[0].strip("`") for row in severities[1:]] == [str(s) for s in Severity]
    reasons = table_rows(reading[reading.index("| reason |") :])
    meanings = {row[0].strip("`"): row[1] for row in reasons[1:]}
    assert list(meanings) == [str(reason) for reason in Reason]
    for reason in Reason:  # the words the report and the table use, at the start
        assert meanings[reason].startswith(REASON_HELP[reason]), reason


def block(after: str, language: str) -> str:
    """The first fenced block of ``language`` after the heading ``after`` in check.md."""
    text = CHECK.read_text(encoding="utf-8")
    rest = text[text.index(after) :]
    found = re.search(rf"^```{language}\n(.*?)^```", rest, re.M | re.S)
    assert found, f"docs/check.md: no {language} block after {after!r}"
    return found.group(1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """`transport demo` (its 2026/27 county), then the check as of 26 August, as JSON and
    as CSV."""
    folder = tmp_path_factory.mktemp("demo")
    env = {
        "TRANSPORT_DATABASE_URL": f"sqlite:///{folder / 'transport.db'}",
        "TRANSPORT_CONFIG": "",
        "COLUMNS": "200",
    }
    runner = CliRunner()
    made = runner.invoke(app, ["demo", "--year", "2026"], env=env)
    assert made.exit_code == 0, made.output
    outputs = []
    for form in ("json", "csv"):
        result = runner.invoke(app, ["check", "--as-of", AS_OF, "--format", form], env=env)
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout)
    return json.loads(outputs[0]), outputs[1]


def test_the_json_example_is_what_the_check_prints(demo: tuple[dict[str, Any], str]) -> None:
    real, _ = demo
    shown = json.loads(block("### JSON", "json"))
    assert list(shown) == list(real), "the example's keys, in order"
    for key in ("as_of", "horizon_days", "school_urn", "compared_with", "counts",
                "calendar_gaps", "warnings"):  # fmt: skip
        assert shown[key] == real[key], key
    for when in (shown["data_imported_at"], real["data_imported_at"]):
        assert datetime.fromisoformat(when).utcoffset() is not None
    assert shown["at_risk"] == real["at_risk"][: len(shown["at_risk"])]  # the first child(ren)
    assert shown["forecast"], "the example shows a stage of the forecast"
    stages = {stage["stage"]: stage for stage in real["forecast"]}
    for stage in shown["forecast"]:
        assert stage == stages[stage["stage"]], stage["stage"]
        assert list(stage) == list(stages[stage["stage"]]), stage["stage"]


def test_the_csv_example_is_what_the_check_prints_for_the_same_child(
    demo: tuple[dict[str, Any], str],
) -> None:
    real_json, real_csv = demo
    shown = block("### CSV", "").splitlines()
    assert shown == real_csv.splitlines()[:2]
    (row,) = csv.DictReader(io.StringIO("\n".join(shown)))
    child = json.loads(block("### JSON", "json"))["at_risk"][0]
    assert row["pupil_ref"] == child["pupil_ref"]  # the JSON example's child
    for key in ("school_urn", "risk_date", "severity", "pupil_name", "school_name"):
        assert row[key] == str(child[key]), key
    assert row["next_school_urn"] == (child["next_school_urn"] or "")
    assert int(row["days_until"]) == child["days_until"]
    assert row["reasons"].split(" ") == child["reasons"]
    # `new` is blank when there is no earlier check to compare with (compared_with null).
    assert (row["new"] == "") == (real_json["compared_with"] is None)
