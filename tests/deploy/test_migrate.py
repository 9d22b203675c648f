"""The launcher's database step (``bijou-process migrate``): schema at the head revision and
one demo agent on a fresh database, nothing more when run again (every start runs it), and no
demo agent when the operator says so."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from deploy.render import ROOT
from shop.store.conversations import Agent
from shop.store.db import make_engine, make_session_factory, session_scope


def run_migrate(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deploy.migrate"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "SHOP_DATABASE_URL": f"sqlite:///{tmp_path / 'shop.db'}",
            "DESK_VAR_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def agents(tmp_path: Path) -> int:
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    try:
        with session_scope(make_session_factory(engine)) as session:
            return int(session.scalar(select(func.count()).select_from(Agent)) or 0)
    finally:
        engine.dispose()


def test_first_start_migrates_and_creates_one_demo_agent_then_nothing(tmp_path: Path) -> None:
    first = run_migrate(tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Created every table" in first.stdout
    assert (tmp_path / "demo_agent_password").stat().st_mode & 0o077 == 0
    again = run_migrate(tmp_path)
    assert again.returncode == 0, again.stderr
    assert "nothing to do" in again.stdout and "demo agent" not in again.stdout
    assert agents(tmp_path) == 1


def test_no_demo_agent_when_disabled(tmp_path: Path) -> None:
    result = run_migrate(tmp_path, DESK_DEMO_AGENT="0")
    assert result.returncode == 0, result.stderr
    assert agents(tmp_path) == 0 and not (tmp_path / "demo_agent_password").exists()
