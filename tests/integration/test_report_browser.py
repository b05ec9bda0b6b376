"""The check's HTML report in a real browser (headless Chromium, Debian's `chromium`):
it loads with no script, reads right, has a screenshot, and prints to A4."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.browser import browse
from tests.bundles import pupil, small_county, write_bundle

runner = CliRunner()


@pytest.fixture
def report(tmp_path: Path, db_url: str) -> Path:
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "200"}
    files = small_county()
    files["pupils.csv"][0] = pupil("P1", first_name="<script>alert(1)</script>Sam")
    folder = write_bundle(tmp_path / "bundle", files)
    assert runner.invoke(app, ["import", str(folder)], env=env).exit_code == 0
    for day in ("2026-08-20", "2026-08-21", "2026-08-24"):  # a trend of three checks
        assert (
            runner.invoke(app, ["check", "--as-of", day, "--format", "json"], env=env).exit_code
            == 0
        )
    path = tmp_path / "report.html"
    before = os.umask(0o022)
    try:
        result = runner.invoke(
            app,
            ["check", "--as-of", "2026-08-24", "--format", "html", "--output", str(path)],
            env=env,
        )
    finally:
        os.umask(before)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it names children
    return path


def test_the_report_reads_right_in_a_browser(report: Path, tmp_path: Path) -> None:
    dom = browse("--dump-dom", report.as_uri()).stdout.decode()
    text = re.sub(r"<[^>]+>", " ", dom)
    for expected in ("Example County Council", "Summary", "By reason", "By school",
                     "Children at risk, most urgent first", "Hill Academy",
                     "AWARD_MISSING", "NO_APPLICATION", "last 3 checks"):  # fmt: skip
        assert expected in text, expected
    assert "<script>alert(1)</script>Sam" not in dom  # a name is text, never markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Sam" in dom
    assert "<script" not in dom.split("<body", 1)[1]  # no JavaScript at all
    assert dom.count("<svg") == 2 and 'role="img"' in dom
    assert '<th scope="col"' in dom  # table headers for screen readers

    shot = tmp_path / "report.png"
    browse("--window-size=1200,1600", f"--screenshot={shot}", report.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000

    pdf = tmp_path / "report.pdf"
    browse("--no-pdf-header-footer", f"--print-to-pdf={pdf}", report.as_uri())
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-"
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all(abs(float(w) - 595) < 2 and abs(float(h) - 842) < 2 for w, h in boxes)
