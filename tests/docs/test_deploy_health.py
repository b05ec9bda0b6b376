"""deploy/: `transport health` as a systemd timer whose failure alerts a person
(OnFailure=), valid for systemd; the service runs the command docs/operations.md shows."""

from __future__ import annotations

import configparser
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs.test_deploy import SYSTEMD_ANALYZE

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = ("transport-health.service", "transport-health.timer", "transport-alert@.service")


def sections(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((DEPLOY / name).read_text(encoding="utf-8"))
    return parser


def test_the_health_service_alerts_a_person_when_it_fails() -> None:
    unit = sections("transport-health.service")
    assert unit["Unit"]["OnFailure"] == "transport-alert@%n.service"
    service = unit["Service"]
    assert service["Type"] == "oneshot"
    assert service["ExecStart"].split()[1:] == ["health"]
    assert service["UMask"] == "0077" and service["ProtectSystem"] == "strict"
    timer = sections("transport-health.timer")
    assert timer["Timer"]["OnCalendar"] and timer["Install"]["WantedBy"] == "timers.target"
    alert = sections("transport-alert@.service")["Service"]["ExecStart"]
    assert "%i" in alert


def test_operations_shows_health_in_cron_and_as_a_timer() -> None:
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    assert re.search(r"^\S+ \S+ \S+ \S+ \S+ transport .*transport health", text, re.MULTILINE)
    for name in UNITS:
        assert name in text
    assert "OnFailure=" in text


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verify_accepts_the_health_units(tmp_path: Path) -> None:
    transport = Path(sys.executable).parent / "transport"
    program = transport if transport.exists() else Path(sys.executable)
    for name in UNITS:
        text = (DEPLOY / name).read_text(encoding="utf-8")
        text = re.sub(r"^ExecStart=/opt/\S+", f"ExecStart={program}", text, flags=re.MULTILINE)
        (tmp_path / name).write_text(text, encoding="utf-8")
    # The alert as OnFailure= starts it, for the health service.
    instance = tmp_path / "transport-alert@transport-health.service.service"
    instance.write_text((tmp_path / UNITS[2]).read_text(encoding="utf-8"), encoding="utf-8")
    assert SYSTEMD_ANALYZE is not None
    result = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", *(str(tmp_path / n) for n in UNITS[:2]), str(instance)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    ours = [line for line in output.splitlines() if "transport-" in line]
    assert not ours, output
