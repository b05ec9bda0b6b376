"""The check's HTML report in a real browser (headless Chromium, Debian's `chromium`):
it loads with no script, reads right, has a screenshot, and prints to A4 with the most
urgent children on the first page and the council's protective marking on every page."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from cli import app
from tests.browser import browse, measure
from tests.bundles import arrangement, award, contact, pupil, small_county, write_bundle

runner = CliRunner()
MARKING = "OFFICIAL-SENSITIVE"
GOVUK_GREEN = "rgb(0, 112, 60)"


@pytest.fixture
def report(tmp_path: Path, db_url: str) -> Path:
    """The small county as of Fri 28 Aug 2026, its schools' first day Thu 3 Sep: P1, P2
    and P3 are critical (6 days); P4's award runs to Fri 23 Oct and is arranged (low: 59
    days). P1 has a passenger assistant this year, P2 is SEND, and P3 had an assistant
    last year (and has no arrangement for this one)."""
    config = tmp_path / "transport.toml"
    config.write_text(f'[report]\nmarking = "{MARKING}"\n', encoding="utf-8")
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": str(config), "COLUMNS": "200"}
    files = small_county()
    files["pupils.csv"][0] = pupil("P1", first_name="<script>alert(1)</script>Sam")
    files["pupils.csv"][1]["send"] = "yes"
    files["pupils.csv"].append(pupil("P4", first_name="Ola"))
    files["contacts.csv"].append(contact("P4", email="ola@example.org"))
    files["awards.csv"].append(award("A4", pupil_ref="P4", valid_until="2026-10-23"))
    files["arrangements.csv"][0]["passenger_assistant"] = "yes"
    files["arrangements.csv"] += [
        arrangement(
            "P3", year="2025/26", family_informed_on="2025-08-20", passenger_assistant="yes"
        ),
        arrangement("P4"),
    ]
    folder = write_bundle(tmp_path / "bundle", files)
    result = runner.invoke(app, ["import", str(folder)], env=env)
    assert result.exit_code == 0, result.output
    for day in ("2026-08-20", "2026-08-21", "2026-08-24"):  # a trend of three checks
        result = runner.invoke(app, ["check", "--as-of", day, "--format", "json"], env=env)
        assert result.exit_code == 0
    path = tmp_path / "report.html"
    before = os.umask(0o022)
    try:
        result = runner.invoke(
            app,
            ["check", "--as-of", "2026-08-28", "--format", "html", "--output", str(path)],
            env=env,
        )
    finally:
        os.umask(before)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it names children
    return path


def test_the_report_reads_right_in_a_browser(report: Path, tmp_path: Path) -> None:
    dom = browse("--dump-dom", report.as_uri()).stdout.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", dom).split())
    for expected in ("Example County Council", "Summary", "By reason", "By school",
                     "Critical: the most urgent children (3)", "Hill Academy",
                     "The other children at risk, most urgent first (1)",
                     "last 4 checks", MARKING):  # fmt: skip
        assert expected in text, expected
    assert "<script>alert(1)</script>Sam" not in dom  # a name is text, never markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Sam" in dom
    assert "<script" not in dom.split("<body", 1)[1]  # no JavaScript at all
    assert dom.count("<svg") == 2 and 'role="img"' in dom
    assert '<th scope="col"' in dom  # table headers for screen readers

    shot = tmp_path / "report.png"
    browse("--window-size=1200,1600", f"--screenshot={shot}", report.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_each_child_reads_in_words_with_send_and_the_passenger_assistant(report: Path) -> None:
    dom = browse("--dump-dom", report.as_uri()).stdout.decode()
    rows = {
        ref: " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr>.*?</tr>", dom, re.DOTALL)
        if (ref := next(iter(re.findall(r"\bP[1-4]\b", row)), None))
    }
    assert set(rows) == {"P1", "P2", "P3", "P4"}
    # The reason in plain English, its code beside it (small).
    assert "Approved, but no award covers the day AWARD_MISSING" in rows["P1"]
    assert "No application for that year NO_APPLICATION" in rows["P2"]
    headers = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', dom.split('id="urgent"')[1])
    assert headers[:7] == ["Severity", "From", "Child", "School", "SEND",
                           "Passenger assistant", "Why"]  # fmt: skip
    assert " SEND " in f" {rows['P2']} " and " SEND " not in f" {rows['P1']} "
    assert " yes " in f" {rows['P1']} "  # this year's arrangement has one
    assert "had one in 2025/26" in rows["P3"]  # no arrangement yet for 2026/27
    assert "yes" not in rows["P2"] and "yes" not in rows["P4"] and "had one" not in rows["P4"]


def test_low_is_not_green(report: Path, tmp_path: Path) -> None:
    seen = measure(report.read_text(encoding="utf-8"), tmp_path, width=1200)
    tags = {item["text"]: item for item in seen["classed"] if "sev " in f"{item['classes']} "}
    assert tags["low"]["background"] not in (GOVUK_GREEN, "rgba(0, 0, 0, 0)")
    assert tags["critical"]["background"] == "rgb(212, 53, 28)"  # red stays red
    assert "#00703c" not in report.read_text(encoding="utf-8")  # green reads as "fine"


def test_printed_on_a4_the_most_urgent_come_first_under_the_marking(
    report: Path, tmp_path: Path
) -> None:
    pdf = tmp_path / "report.pdf"
    browse("--no-pdf-header-footer", f"--print-to-pdf={pdf}", report.as_uri())
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-"
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all(abs(float(w) - 595) < 2 and abs(float(h) - 842) < 2 for w, h in boxes)
    pages = [page.extract_text() for page in PdfReader(pdf).pages]
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):  # top and bottom of every page
        assert page.count(MARKING) == 2, (number, page[:200])
        assert f"Page {number} of {len(pages)}" in page
    first = " ".join(pages[0].split())
    # Page 1: the summary, then every critical child, before the forecast and the charts.
    assert "Summary" in first and "of 4 children in scope are at risk" in first
    for ref in ("P1", "P2", "P3"):
        assert ref in first, ref
    assert first.index("Summary") < first.index("Critical: the most urgent children")
    assert "P4" not in first  # the low child comes with the rest, after the charts
