"""Headless Chromium (Debian's `chromium`) for the tests of what people see: the check's
HTML report and the family emails. Pages are loaded from files; nothing leaves the
machine (no network, no component updates, a fresh profile each time)."""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("no chromium on this machine (CI installs it): apt-get install chromium")
    return found


def browse(*args: str) -> subprocess.CompletedProcess[bytes]:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            timeout=120,
            check=True,
        )


# Measures, once everything has loaded, each page shown in a frame of a given width (a
# real viewport of that width: Chromium's own window is never narrower than 500 px): how
# wide its content is against the frame's width, each table's width, and each link's and
# each element with a class's computed colours. The pages carry no script of their own;
# all of them are measured in one start of the browser.
_FRAME = (
    '<iframe style="border:0;width:%(width)dpx;height:%(height)dpx" srcdoc="%(page)s"></iframe>'
)
_PROBE = """<!DOCTYPE html><html><body style="margin:0"><pre id="probe-out"></pre>
%(frames)s<script>
window.addEventListener("load", function () {
  function colours(element) {
    var style = getComputedStyle(element);
    return {text: element.textContent.trim(), background: style.backgroundColor,
            color: style.color, classes: element.className};
  }
  function each(doc, selector, what) {
    return Array.prototype.map.call(doc.querySelectorAll(selector), what);
  }
  var found = Array.prototype.map.call(document.querySelectorAll("iframe"), function (frame) {
    var doc = frame.contentDocument;
    return {
      content_width: doc.documentElement.scrollWidth,
      frame_width: doc.documentElement.clientWidth,
      tables: each(doc, "table", function (table) { return table.offsetWidth; }),
      links: each(doc, "a[href]", colours),
      classed: each(doc, "[class]", colours)
    };
  });
  document.getElementById("probe-out").textContent = JSON.stringify(found);
});
</script></body></html>"""


def measure_all(
    pages: Sequence[str], folder: Path, *, width: int, height: int = 4000
) -> list[dict[str, Any]]:
    """Load each page in a frame ``width`` px wide and measure it (see _PROBE)."""
    frames = "\n".join(
        _FRAME % {"width": width, "height": height, "page": html.escape(page, quote=True)}
        for page in pages
    )
    probe = folder / f"probe-{width}.html"
    probe.write_text(_PROBE % {"frames": frames}, encoding="utf-8")
    dom = browse("--dump-dom", probe.as_uri()).stdout.decode()
    start = dom.index('<pre id="probe-out">') + len('<pre id="probe-out">')
    found: list[dict[str, Any]] = json.loads(html.unescape(dom[start : dom.index("</pre>", start)]))
    assert len(found) == len(pages)
    return found


def measure(page: str, folder: Path, *, width: int, height: int = 4000) -> dict[str, Any]:
    return measure_all([page], folder, width=width, height=height)[0]
