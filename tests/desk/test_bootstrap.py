"""First start (demo agent, secret key) and the ``create_agent`` command."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker

from desk import create_agent
from desk.bootstrap import ensure_demo_agent
from desk.security import verify_password
from desk.settings import Settings
from devtools.servers import FROZEN_NOW
from shop.clock import FixedClock
from shop.store import conversation_repository as repo
from shop.store.conversations import Agent
from tests.desk.conftest import login


def test_demo_agent_is_created_once_with_a_private_password_file(
    db: sessionmaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with db() as session:
        session.query(Agent).delete()
        session.commit()
    password = ensure_demo_agent(db, FixedClock(FROZEN_NOW), tmp_path)
    assert password and password not in capsys.readouterr().out
    file = tmp_path / "demo_agent_password"
    assert file.read_text().strip() == password
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    with db() as session:
        agent = repo.find_agent(session, "agent")
        assert agent is not None and verify_password(password, agent.password_hash)
    assert ensure_demo_agent(db, FixedClock(FROZEN_NOW), tmp_path) is None


def test_demo_agent_can_log_in(make_client, db: sessionmaker, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    with db() as session:
        session.query(Agent).delete()
        session.commit()
    client = make_client()
    password = (settings.var_dir / "demo_agent_password").read_text().strip()
    assert login(client, "agent", password)


def test_secret_key_is_generated_once_into_var(tmp_path: Path) -> None:
    env = {"DESK_VAR_DIR": str(tmp_path), "SHOP_DATABASE_URL": "sqlite://"}
    first = Settings.from_env(env)
    assert len(first.secret_key) >= 32
    assert Settings.from_env(env).secret_key == first.secret_key
    assert stat.S_IMODE((tmp_path / "desk_secret").stat().st_mode) == 0o600
    assert Settings.from_env({**env, "DESK_SECRET_KEY": "k" * 20}).secret_key == "k" * 20
    assert (first.host, first.port, first.rasa_url) == ("127.0.0.1", 8000, "http://127.0.0.1:5005")


def test_create_agent_from_stdin(
    database_url: str, db: sessionmaker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SHOP_DATABASE_URL", database_url)
    monkeypatch.setenv("DESK_VAR_DIR", str(tmp_path))
    monkeypatch.setattr("sys.stdin", io.StringIO("mot-de-passe-long\n"))
    assert create_agent.main(["Sophie", "--password-stdin", "--display-name", "Sophie"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("court\n"))
    assert create_agent.main(["paul", "--password-stdin"]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("autre-mot-de-passe\n"))
    assert create_agent.main(["sophie", "--password-stdin"]) == 1
    with db() as session:
        agent = repo.find_agent(session, "sophie")
        assert agent is not None and agent.display_name == "Sophie"
        assert verify_password("mot-de-passe-long", agent.password_hash)
