"""The database, the spool, the logs and the tokens are readable by their owner only, even
under the usual umask and when an older run left them open."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from shop.private_files import actions_token
from shop.store import spool
from shop.store.db import create_schema, make_engine

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """Files are created as on a default machine (0644/0755), whatever umask the suite has."""
    saved = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(saved)


def test_finding_04_sqlite_database_and_its_journals_are_owner_only(
    tmp_path: Path, usual_umask: None
) -> None:
    database = tmp_path / "data" / "shop.db"
    engine = make_engine(f"sqlite:///{database}")
    create_schema(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE probe (x INTEGER)"))
        connection.execute(text("INSERT INTO probe VALUES (1)"))
        journals = [database.with_name("shop.db" + s) for s in ("-wal", "-shm")]
        assert all(journal.exists() for journal in journals)
        assert [mode(p) for p in (database, *journals)] == [0o600, 0o600, 0o600]
    engine.dispose()
    assert mode(database.parent) == 0o700


def test_finding_04_an_open_database_left_by_an_older_run_is_closed(
    tmp_path: Path, usual_umask: None
) -> None:
    database = tmp_path / "shop.db"
    make_engine(f"sqlite:///{database}").dispose()
    wal = tmp_path / "shop.db-wal"
    wal.touch()
    for path in (database, wal):
        os.chmod(path, 0o644)
    make_engine(f"sqlite:///{database}").dispose()
    assert (mode(database), mode(wal)) == (0o600, 0o600)


def test_finding_04_spooled_requests_are_owner_only(
    tmp_path: Path, usual_umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "spool" / "tickets.jsonl"
    monkeypatch.setenv("SHOP_TICKET_SPOOL", str(path))
    now = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
    spool.spool_ticket("handoff", "conv", {"email": "jean@exemple.fr"}, now)
    assert (mode(path.parent), mode(path)) == (0o700, 0o600)
    os.chmod(path, 0o644)
    spool.spool_ticket("handoff", "conv", {"email": "jean@exemple.fr"}, now)
    assert mode(path) == 0o600


def test_finding_04_actions_token_is_generated_once_owner_only(
    tmp_path: Path, usual_umask: None
) -> None:
    first = actions_token({}, var_dir=tmp_path / "var")
    assert len(first) >= 32 and actions_token({}, var_dir=tmp_path / "var") == first
    assert mode(tmp_path / "var" / "actions_token") == 0o600
    assert mode(tmp_path / "var") == 0o700
    assert actions_token({"ACTIONS_TOKEN": "from-env"}, var_dir=tmp_path / "var") == "from-env"


def test_the_actions_token_is_the_products_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ACTIONS_TOKEN`` is read by ``shop.settings``: trimmed, blank counts as unset (the
    generated token), and the process's environment is the default."""
    generated = actions_token({"ACTIONS_TOKEN": "  "}, var_dir=tmp_path)
    assert generated == (tmp_path / "actions_token").read_text(encoding="utf-8").strip()
    assert actions_token({"ACTIONS_TOKEN": " jeton \n"}, var_dir=tmp_path) == "jeton"
    monkeypatch.setenv("ACTIONS_TOKEN", "from-the-process")
    assert actions_token(var_dir=tmp_path) == "from-the-process"
    monkeypatch.delenv("ACTIONS_TOKEN")
    assert actions_token(var_dir=tmp_path) == generated


def test_finding_04_scripts_keep_var_private(tmp_path: Path, usual_umask: None) -> None:
    """What run.sh does before it starts anything: older files closed, new ones private."""
    var = tmp_path / ".var"
    (var / "logs").mkdir(parents=True)
    old = [var / "logs" / "desk.log", var / "shop.db", var / "demo_agent_password"]
    for path in old:
        path.write_text("x")
    env = {key: value for key, value in os.environ.items() if key != "RASA_TOKEN"}
    subprocess.run(
        ["bash", "-c", f"source {ROOT / 'scripts' / 'env.sh'} && echo x > .var/logs/rasa.log"],
        cwd=tmp_path,
        env=env,
        check=True,
    )
    assert mode(var) == 0o700 and mode(var / "logs") == 0o700
    for path in [*old, var / "logs" / "rasa.log", var / "rasa_token"]:
        assert mode(path) == 0o600, path


def test_servers_starting_together_share_one_actions_token(tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        tokens = set(pool.map(lambda _: actions_token({}, var_dir=tmp_path), range(32)))
    assert len(tokens) == 1 and all(tokens)
    assert [p.name for p in tmp_path.iterdir()] == ["actions_token"]


@pytest.mark.parametrize("content", ["", "\n", "   \n"])
def test_finding_13_an_empty_token_file_never_opens_the_action_server(
    tmp_path: Path, content: str
) -> None:
    """An empty token would let any request through (an empty ``?token=`` matches it)."""
    (tmp_path / "actions_token").write_text(content, encoding="utf-8")
    with pytest.raises(RuntimeError, match="actions_token"):
        actions_token({}, tmp_path)
    assert actions_token({"ACTIONS_TOKEN": "from-the-environment"}, tmp_path) == (
        "from-the-environment"
    )
