"""deploy/: the systemd unit is valid for systemd and keeps the settings operations.md
promises; the example environment file names the variables the service reads and holds
no secret."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "transport-scheduler.service"
SERVE_UNIT = ROOT / "deploy" / "transport-serve.service"
ENV_EXAMPLE = ROOT / "deploy" / "transport.env.example"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze") or (
    "/usr/bin/systemd-analyze" if Path("/usr/bin/systemd-analyze").exists() else None
)


def service_section(unit: Path = UNIT) -> dict[str, str]:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(unit.read_text(encoding="utf-8"))
    return dict(parser["Service"])


def test_the_unit_runs_the_scheduler_as_a_private_hardened_service() -> None:
    service = service_section()
    assert service["ExecStart"].split()[0].startswith("/")  # systemd wants an absolute path
    assert service["ExecStart"].split()[1:] == ["scheduler", "run"]
    for key in ("User", "WorkingDirectory", "EnvironmentFile"):
        assert service.get(key), f"the unit has no {key}="
    assert service["Restart"] == "on-failure"
    assert service["UMask"] == "0077"
    assert service["NoNewPrivileges"] == "true"
    assert service["ProtectSystem"] == "strict"
    assert service["PrivateTmp"] == "true"
    assert service["WorkingDirectory"] in service["ReadWritePaths"].split()


def test_the_serve_unit_listens_on_loopback_behind_the_proxy_hardened() -> None:
    service = service_section(SERVE_UNIT)
    command = service["ExecStart"].split()
    assert command[0].startswith("/") and command[1] == "serve"
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert service["KillSignal"] == "SIGTERM"
    assert service["RestartPreventExitStatus"] == "2"
    for key in ("User", "WorkingDirectory", "EnvironmentFile"):
        assert service.get(key), f"the serve unit has no {key}="
    scheduler = service_section()
    for key in ("UMask", "NoNewPrivileges", "ProtectSystem", "PrivateTmp", "ReadWritePaths"):
        assert service[key] == scheduler[key], key


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("source", [UNIT, SERVE_UNIT], ids=lambda p: p.name)
def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path, source: Path) -> None:
    # verify checks that ExecStart's program exists: point it at one that does here.
    transport = Path(sys.executable).parent / "transport"
    program = transport if transport.exists() else Path(sys.executable)
    text = source.read_text(encoding="utf-8")
    unit = tmp_path / source.name
    unit.write_text(
        re.sub(r"^ExecStart=\S+", f"ExecStart={program}", text, flags=re.MULTILINE),
        encoding="utf-8",
    )
    assert SYSTEMD_ANALYZE is not None
    result = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", str(unit)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Unknown or misspelt settings are only warnings for systemd: refuse them here.
    ours = [line for line in output.splitlines() if unit.name in line]
    assert not ours, output


def test_the_environment_example_names_every_variable_and_no_secret() -> None:
    values: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    assert set(values) == {
        "TRANSPORT_CONFIG",
        "TRANSPORT_DATABASE_URL",
        "SMTP_USERNAME",
        "SMTP_PASSWORD",
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
        "NOTIFY_API_KEY",
        "NOTIFY_CALLBACK_TOKEN",
    }
    for secret in (
        "SMTP_USERNAME",
        "SMTP_PASSWORD",
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
        "NOTIFY_API_KEY",
        "NOTIFY_CALLBACK_TOKEN",
    ):
        assert values[secret] == "", f"{secret} must be empty in the example"
    assert "CHANGE-ME" in values["TRANSPORT_DATABASE_URL"]


def test_the_config_module_reads_these_variables() -> None:
    source = (ROOT / "transport" / "config.py").read_text(encoding="utf-8")
    for name in (
        "TRANSPORT_CONFIG",
        "TRANSPORT_DATABASE_URL",
        "SMTP_PASSWORD",
        "TWILIO_AUTH_TOKEN",
        "NOTIFY_API_KEY",
        "NOTIFY_CALLBACK_TOKEN",
    ):
        assert f'"{name}"' in source
