"""scripts/serve.sh refuses to start on a broken setting before it starts anything, and says
why; ``status`` tells when nothing runs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from deploy.render import ROOT


def serve(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "scripts/serve.sh", *args],
        cwd=ROOT,
        env={
            **os.environ,
            "SERVE_DIR": str(tmp_path / "run"),
            "SERVE_LOG_DIR": str(tmp_path / "logs"),
            "SERVE_SKIP_SETUP": "1",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_broken_shop_profile_stops_the_start_before_any_process(tmp_path: Path) -> None:
    result = serve(tmp_path, "start", SHOP_PROFILE="boutique_inconnue")
    assert result.returncode != 0
    assert "boutique_inconnue" in result.stdout + result.stderr
    assert not (tmp_path / "run" / "supervisord.pid").exists()


def test_a_missing_model_is_refused(tmp_path: Path) -> None:
    result = serve(tmp_path, "start", SERVE_MODEL=str(tmp_path / "absent.tar.gz"))
    assert result.returncode != 0
    assert "absent.tar.gz: no such file" in result.stderr
    assert not (tmp_path / "run" / "supervisord.pid").exists()


def test_status_and_stop_when_nothing_runs(tmp_path: Path) -> None:
    status = serve(tmp_path, "status")
    assert status.returncode == 3 and "not started" in status.stdout
    assert serve(tmp_path, "stop").returncode == 0
    usage = serve(tmp_path, "restart-everything")
    assert usage.returncode == 64 and "serve.sh stop" in usage.stdout
