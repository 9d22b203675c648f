"""``python -m shop.store.seed --reset`` drops every table: it refuses a database that may be a
real one unless told explicitly, and still resets a throwaway demo database."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from shop.store import conversation_repository as repo
from shop.store.db import make_engine, make_session_factory, session_scope
from shop.store.models import Customer
from shop.store.seed import main as seed_main

NOW = datetime(2025, 3, 12, 9, 0, tzinfo=timezone.utc)
FORCE = "--i-know-this-deletes-everything"
A_HASH = "scrypt$1024$8$1$c2FsdA$ZGlnZXN0"  # never checked here


@pytest.fixture()
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A seeded SQLite file, configured as the store the command works on."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    monkeypatch.setenv("SHOP_DATABASE_URL", url)
    assert seed_main(["--now", "2025-03-12T10:00"]) == 0
    return url


def agents(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            names = [repo.find_agent(session, name) for name in ("agent", "louise")]
            return [str(agent.username) for agent in names if agent is not None]
    finally:
        engine.dispose()


def add(url: str, *what: str) -> None:
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as session:
        if "demo agent" in what:
            repo.create_agent(session, "agent", A_HASH, "Camille", NOW)
        if "agent" in what:
            repo.create_agent(session, "louise", A_HASH, "Louise", NOW)
        if "conversation" in what:
            repo.create_conversation(session, NOW)
        if "customer" in what:
            session.add(
                Customer(
                    email="vraie.cliente@example.fr",
                    first_name="Vraie",
                    last_name="Cliente",
                    loyalty_points=0,
                )
            )
    engine.dispose()


def test_finding_17_reset_refuses_a_database_that_is_not_sqlite(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SHOP_DATABASE_URL", "postgresql://shop:s3cret@127.0.0.1:1/shop")
    assert seed_main(["--reset"]) == 2
    error = capsys.readouterr().err
    assert "refusing to reset" in error and "not a SQLite database" in error
    assert FORCE in error and "s3cret" not in error


@pytest.mark.parametrize("what", ["agent", "conversation", "customer"])
def test_finding_17_reset_refuses_a_database_holding_more_than_the_demo(
    database: str, what: str, capsys: pytest.CaptureFixture[str]
) -> None:
    add(database, what)
    capsys.readouterr()
    assert seed_main(["--reset"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: refusing to reset: ") and FORCE in error
    assert {
        "agent": "1 agent(s) besides the demo agent",
        "conversation": "1 desk conversation(s)",
        "customer": "1 customer(s) not from the demo",
    }[what] in error
    if what == "agent":
        assert agents(database) == ["louise"]


def test_reset_with_the_explicit_flag_deletes_everything(database: str) -> None:
    add(database, "agent", "conversation", "customer")
    assert seed_main(["--reset", FORCE, "--now", "2025-03-12T10:00"]) == 0
    assert agents(database) == []


def test_reset_accepts_a_demo_database(database: str) -> None:
    add(database, "demo agent")
    assert seed_main(["--reset", "--now", "2025-03-12T10:00"]) == 0
    assert agents(database) == []


def test_reset_accepts_a_new_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOP_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    assert seed_main(["--reset", "--now", "2025-03-12T10:00"]) == 0
