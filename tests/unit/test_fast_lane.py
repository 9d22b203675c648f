"""`make test-fast` stays fast: its folders import neither Rasa nor the bot's components at
module level (those tests live in tests/rasa_components), and inside the lane a test that would
train the model or start a server fails at once instead of taking minutes."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from devtools.lanes import FAST_LANE_ENV, refuse_in_fast_lane
from devtools.servers import ROOT, Stack, model_path
from devtools.services import PostgresServer, RedisServer

SLOW_TO_IMPORT = ("rasa", "bot", "tensorflow", "spacy")


def fast_folders() -> list[str]:
    """The folders `make test-fast` runs, read from the Makefile: a folder added there is
    checked here too."""
    found = re.search(r"^FAST_TESTS := (.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert found is not None, "the Makefile names no FAST_TESTS"
    folders = found[1].split()
    assert folders and all((ROOT / folder).is_dir() for folder in folders), folders
    return folders


def module_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_module_of_the_fast_lane_imports_rasa_or_the_bot() -> None:
    slow = {
        f"{path.relative_to(ROOT)}: {name}"
        for folder in fast_folders()
        for path in sorted((ROOT / folder).rglob("*.py"))
        for name in module_level_imports(path)
        if name.split(".")[0] in SLOW_TO_IMPORT
    }
    assert slow == set()


def test_the_fast_lane_refuses_a_model_or_a_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(FAST_LANE_ENV, "1")
    with pytest.raises(RuntimeError, match="a trained model in the fast lane"):
        model_path()
    with pytest.raises(RuntimeError, match="the actions server in the fast lane"):
        Stack(tmp_path).start_actions()
    with pytest.raises(RuntimeError, match="a PostgreSQL server in the fast lane"):
        PostgresServer().start()
    with pytest.raises(RuntimeError, match="a redis-server in the fast lane"):
        RedisServer().start()


def test_outside_the_fast_lane_nothing_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FAST_LANE_ENV, raising=False)
    refuse_in_fast_lane("a trained model")
