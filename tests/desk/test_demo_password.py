"""The demo agent's password is kept in its owner-only file, never written to the output (the
desk's output is desk.log)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker

from desk.bootstrap import ensure_demo_agent
from devtools.servers import FROZEN_NOW
from shop.clock import FixedClock
from shop.store.conversations import Agent


def test_finding_04_demo_password_goes_to_its_private_file_never_to_the_output(
    db: sessionmaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with db() as session:
        session.query(Agent).delete()
        session.commit()
    saved = os.umask(0o022)
    try:
        password = ensure_demo_agent(db, FixedClock(FROZEN_NOW), tmp_path / "var")
    finally:
        os.umask(saved)
    out = capsys.readouterr()
    assert password and password not in out.out + out.err
    assert "demo_agent_password" in out.out  # where to find it
    file = tmp_path / "var" / "demo_agent_password"
    assert file.read_text(encoding="utf-8").strip() == password
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(file.parent.stat().st_mode) == 0o700
