"""The desk's signing key (console sessions, conversation tokens) is never empty: an empty key
would let anybody sign a cookie or a token the desk accepts."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from desk.settings import Settings


def test_finding_04_the_desk_secret_is_generated_once_owner_only(tmp_path: Path) -> None:
    var = tmp_path / "var"
    first = Settings.from_env({"DESK_VAR_DIR": str(var)}).secret_key
    assert len(first) >= 32
    assert Settings.from_env({"DESK_VAR_DIR": str(var)}).secret_key == first
    assert stat.S_IMODE((var / "desk_secret").stat().st_mode) == 0o600
    assert stat.S_IMODE(var.stat().st_mode) == 0o700


def test_finding_04_an_empty_desk_secret_file_is_refused(tmp_path: Path) -> None:
    """A file left empty (a crash while it was written) must not become an empty key."""
    (tmp_path / "desk_secret").write_text("\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="desk_secret"):
        Settings.from_env({"DESK_VAR_DIR": str(tmp_path)})
