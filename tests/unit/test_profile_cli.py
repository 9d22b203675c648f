"""The start-up check of the shop profile: a broken file stops everything with a clear reason."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shop.policy", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_shipped_profiles_pass_the_check() -> None:
    result = run_check("bijou_eclat", "maison_ocre")
    assert result.returncode == 0
    assert "bijou_eclat" in result.stdout and "maison_ocre" in result.stdout


def test_a_broken_profile_is_refused_with_file_field_and_reason(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    original = (ROOT / "knowledge/shops/bijou_eclat.yml").read_text(encoding="utf-8")
    broken.write_text(original.replace("window_days: 14", "window_days: quatorze"))
    result = run_check(str(broken))
    assert result.returncode == 1
    assert "broken.yml" in result.stderr
    assert "window_days" in result.stderr
