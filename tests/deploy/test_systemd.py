"""The systemd units: ``systemd-analyze verify`` accepts them (installed at the project's place
instead of /opt/bijou-assistant), else they parse as unit files; and they wire the processes as
the launcher does (same command line, same loopback balancers)."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.render import ROOT, ServeSettings
from tests.sources.conftest import platform_profile

UNITS = ROOT / "deploy" / "systemd"
INSTALL_DIR = "/opt/bijou-assistant"
# A unit file for each instance verified (templates are verified through an instance).
INSTANCES = {
    "bijou-rasa@.service": "bijou-rasa@5105.service",
    "bijou-actions@.service": "bijou-actions@5155.service",
    "bijou-desk@.service": "bijou-desk@8100.service",
}


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((UNITS / name).read_text())
    return parser


def installed_here(tmp_path: Path) -> list[Path]:
    """Every unit, with the install folder replaced by this checkout (verify checks that each
    command exists)."""
    paths = []
    for source in sorted(UNITS.iterdir()):
        target = tmp_path / INSTANCES.get(source.name, source.name)
        target.write_text(source.read_text().replace(INSTALL_DIR, str(ROOT)))
        paths.append(target)
    return paths


def test_units_verify(tmp_path: Path) -> None:
    paths = installed_here(tmp_path)
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        for path in paths:
            parser = configparser.ConfigParser(strict=True, interpolation=None)
            parser.read_string(path.read_text())
            assert parser.has_section("Unit"), path.name
        pytest.skip("systemd-analyze not installed: the units were only parsed")
    result = subprocess.run(
        [analyze, "verify", "--man=no", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_verify_catches_a_missing_command(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not installed")
    broken = tmp_path / "bijou-desk@8100.service"
    broken.write_text((UNITS / "bijou-desk@.service").read_text())  # /opt/... does not exist
    result = subprocess.run(
        [analyze, "verify", "--man=no", str(broken)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 or "not executable" in result.stderr


@pytest.mark.parametrize("kind", ["rasa", "actions", "desk"])
def test_each_kind_runs_bijou_process_and_restarts(kind: str) -> None:
    service = unit(f"bijou-{kind}@.service")["Service"]
    assert service["ExecStart"] == f"{INSTALL_DIR}/deploy/bin/bijou-process {kind} %i"
    assert service["Restart"] == "always"
    assert service["EnvironmentFile"] == "/etc/bijou-assistant/env"
    assert service["UMask"] == "0077"
    assert unit(f"bijou-{kind}@.service")["Unit"]["Requires"] == "bijou-migrate.service"


def test_units_use_the_launchers_loopback_balancers() -> None:
    defaults = ServeSettings()
    raw = (UNITS / "bijou-rasa@.service").read_text()
    assert f"Environment=ACTIONS_PORT={defaults.actions_lb_port}" in raw
    assert "Environment=ACTIONS_HOST=127.0.0.1" in raw
    desk = (UNITS / "bijou-desk@.service").read_text()
    assert f"Environment=RASA_URL={defaults.rasa_url}" in desk
    assert "Environment=DESK_TRUSTED_PROXIES=127.0.0.1" in desk
    assert "Environment=SHOP_RETENTION_JOB=0" in desk  # bijou-retention.timer runs it
    assert unit("bijou-retention.service")["Service"]["ExecStart"].endswith("bijou-process retain")
    assert unit("bijou-migrate.service")["Service"]["ExecStart"].endswith("bijou-process migrate")


@pytest.mark.parametrize("program", ["outbox", "poller"])
def test_the_platform_programs_run_only_when_the_shop_profile_needs_them(program: str) -> None:
    service = unit(f"bijou-{program}.service")["Service"]
    assert service["ExecStart"] == f"{INSTALL_DIR}/deploy/bin/bijou-process {program}"
    # skipped (exit 1) for a shop whose platform does not need it, never restarted then
    assert service["ExecCondition"] == f"{INSTALL_DIR}/deploy/bin/bijou-process needs {program}"
    assert service["Restart"] == "always"
    assert int(service["TimeoutStopSec"]) >= 30  # SIGTERM lets the pass under way finish
    assert service["EnvironmentFile"] == "/etc/bijou-assistant/env"
    assert unit(f"bijou-{program}.service")["Unit"]["Requires"] == "bijou-migrate.service"
    assert f"bijou-{program}.service" in (UNITS / "bijou-assistant.target").read_text()


def test_the_condition_asks_the_shop_profile(tmp_path: Path) -> None:
    """What ExecCondition runs: 0 for a PrestaShop shop's poller, 1 (skip) for a shop without a
    platform, 255 (the unit fails) for a profile that cannot be read."""
    presta = platform_profile(
        tmp_path, {"kind": "prestashop", "url": "https://x.fr", "secret_env": "PS_KEY"}
    )
    script = str(ROOT / "deploy" / "bin" / "bijou-process")
    env = {**os.environ, "BIJOU_PYTHON": sys.executable}

    def needs(program: str, profile: str) -> int:
        return subprocess.run(
            [script, "needs", program],
            env={**env, "SHOP_PROFILE": profile},
            capture_output=True,
            timeout=60,
        ).returncode

    assert needs("poller", str(presta)) == 0
    assert needs("outbox", str(presta)) == 0
    assert needs("poller", "bijou_eclat") == 1
    assert needs("outbox", str(tmp_path / "missing.yml")) == 255
