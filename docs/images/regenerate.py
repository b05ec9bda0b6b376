"""Make the pictures in docs/ again from the real output of the demo county, so that
they show what the code does today:

    .venv/bin/python docs/images/regenerate.py

- check-report.png: `transport check --as-of 2026-08-26 --format html` on screen
  (1200 px wide), with `[report] marking = "OFFICIAL-SENSITIVE"`;
- check-report-a4.png: the same report's first printed A4 page;
- transport-pupil.png: `transport pupil P0000505 --as-of 2026-08-26` at 120 columns.

Needs Debian's `chromium` (and `pdftoppm`, from poppler-utils, for the A4 page). The
demo county is built in a temporary folder; nothing else is touched. Read every picture
before committing it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "docs" / "images"
TRANSPORT = Path(sys.executable).with_name("transport")
CHROMIUM = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
]  # fmt: skip


def browser(*args: str) -> None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        sys.exit("no chromium on this machine: apt-get install chromium")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [found, *CHROMIUM, f"--user-data-dir={profile}", *args],
            check=True,
            capture_output=True,
        )


def transport(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(TRANSPORT), *args], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def terminal_picture(ansi: str, title: str, target: Path, work: Path) -> None:
    """What the terminal showed (with its colours), drawn as a terminal window."""
    from rich.console import Console
    from rich.text import Text

    console = Console(record=True, width=120, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(Text.from_ansi(ansi))
    page = work / "terminal.html"
    svg = console.export_svg(title=title)
    page.write_text(f'<html><body style="margin:0">{svg}</body></html>', encoding="utf-8")
    browser("--window-size=1400,1250", f"--screenshot={target}", page.as_uri())


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        config = work / "transport.toml"
        config.write_text('[report]\nmarking = "OFFICIAL-SENSITIVE"\n', encoding="utf-8")
        env = {
            **os.environ,
            "TRANSPORT_DATABASE_URL": f"sqlite:///{work / 'transport.db'}",
            "TRANSPORT_CONFIG": str(config),
        }
        transport(env, "demo", "--year", "2026")
        report = work / "report.html"
        transport(env, "check", "--as-of", "2026-08-26", "--format", "html",
                  "--output", str(report), "--no-save")  # fmt: skip
        browser("--window-size=1200,1700", f"--screenshot={IMAGES / 'check-report.png'}",
                report.as_uri())  # fmt: skip
        pdf = work / "report.pdf"
        browser("--no-pdf-header-footer", f"--print-to-pdf={pdf}", report.as_uri())
        subprocess.run(
            ["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
             str(IMAGES / "check-report-a4")],
            check=True,
        )  # fmt: skip
        ansi = transport({**env, "COLUMNS": "120", "FORCE_COLOR": "1", "TERM": "xterm-256color"},
                         "pupil", "P0000505", "--as-of", "2026-08-26")  # fmt: skip
        terminal_picture(ansi, "transport pupil", IMAGES / "transport-pupil.png", work)
    for name in ("check-report.png", "check-report-a4.png", "transport-pupil.png"):
        print(f"{IMAGES / name}: {(IMAGES / name).stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
