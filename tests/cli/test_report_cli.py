"""`transport check --format html` as a manager meets it, without a browser (the browser
tests are tests/integration/test_report_browser.py): term dates missing said first; no
empty trend before there are checks of two days; the council's protective marking from
`[report] marking`, safe in the page and refused when it is not one short line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.bundles import school, small_county, write_bundle

runner = CliRunner()


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> dict[str, str]:
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "200"}
    files = small_county()
    files["schools.csv"].append(school("100003", name="New Free School", calendar="free1"))
    files["pupils.csv"][2]["next_school_urn"] = "100003"  # P3 moves to it in September
    files["pupils.csv"][2]["year_group"] = "11"
    result = runner.invoke(app, ["import", str(write_bundle(tmp_path / "b", files))], env=env)
    assert result.exit_code == 0, result.output
    return env


def report(env: dict[str, str], as_of: str = "2026-08-24", *extra: str) -> str:
    result = runner.invoke(app, ["check", "--as-of", as_of, "--format", "html", *extra], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def with_marking(env: dict[str, str], tmp_path: Path, marking: str) -> dict[str, str]:
    config = tmp_path / "transport.toml"
    config.write_text(f"[report]\nmarking = {json.dumps(marking)}\n", encoding="utf-8")
    return {**env, "TRANSPORT_CONFIG": str(config)}


def words(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page.split("<body", 1)[1]).split())


def test_term_dates_missing_are_said_first(env: dict[str, str]) -> None:
    text = words(report(env))
    assert "Term dates missing" in text and "free1" in text
    assert text.index("Term dates missing") < text.index("Summary")
    assert text.index("Summary") < text.index("most urgent children")


def test_no_trend_before_there_are_checks_of_two_days(env: dict[str, str]) -> None:
    first = report(env, "2026-08-24", "--no-save")
    assert first.count("<svg") == 1  # the timeline only: no empty trend frame
    assert "Children at risk in the last" not in first and 'id="trend"' not in first
    assert "once there are checks of two different days" in words(first)
    again = report(env, "2026-08-24")  # kept: one day of checks
    assert again.count("<svg") == 1
    runner.invoke(app, ["check", "--as-of", "2026-08-25", "--format", "json"], env=env)
    later = report(env, "2026-08-26")
    assert later.count("<svg") == 2 and "Children at risk in the last 3 checks" in later


def test_the_marking_heads_the_page_and_every_printed_page(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert "@top-center" not in report(env)  # no marking unless the council sets one
    page = report(with_marking(env, tmp_path, "OFFICIAL-SENSITIVE"))
    assert '<p class="marking">OFFICIAL-SENSITIVE</p>' in page  # on screen, above all
    assert "<title>OFFICIAL-SENSITIVE: " in page
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    for box in ("@top-center", "@bottom-center"):
        assert re.search(box + r' \{ content: "OFFICIAL-SENSITIVE";', style), box


def test_a_marking_cannot_break_out_of_the_page(env: dict[str, str], tmp_path: Path) -> None:
    page = report(with_marking(env, tmp_path, 'OFFICIAL" } </style><script>x()</script>'))
    assert page.count("</style>") == 1 and "<script" not in page
    assert "OFFICIAL&#34; } &lt;/style&gt;&lt;script&gt;" in page  # as text on screen


@pytest.mark.parametrize("marking", ["OFFICIAL\nSENSITIVE", " OFFICIAL", "X" * 61])
def test_a_marking_that_is_not_one_short_line_is_refused(
    env: dict[str, str], tmp_path: Path, marking: str
) -> None:
    config = tmp_path / "transport.toml"
    config.write_text(f"[report]\nmarking = {json.dumps(marking)}\n", encoding="utf-8")
    result = runner.invoke(
        app, ["check", "--format", "html"], env={**env, "TRANSPORT_CONFIG": str(config)}
    )
    assert result.exit_code == 2 and "report.marking" in result.stderr
