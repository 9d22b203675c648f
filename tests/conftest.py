"""What every test folder shares: the trained model and the real servers of the end-to-end and
NLU tests, the throwaway PostgreSQL cluster and redis-server of the tests on production stores
(each started once per run), and each test's own ticket spool."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete

from devtools.desk import DeskServer
from devtools.servers import Stack, model_path
from devtools.services import PostgresServer, RedisServer
from shop.store.db import make_engine
from shop.store.identity_attempts import IdentityFailure


@pytest.fixture(autouse=True)
def own_ticket_spool(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test keeps requests in its own spool: a desk or an action under test replays the
    spool into its temporary database, and must never empty the developer's."""
    spool = tmp_path_factory.mktemp("spool") / "tickets.jsonl"
    monkeypatch.setenv("SHOP_TICKET_SPOOL", str(spool))


@pytest.fixture(autouse=True)
def no_identity_failures_of_earlier_tests(request: pytest.FixtureRequest) -> None:
    """Guessing is limited per client address across conversations, and every test talks to
    the shared servers from 127.0.0.1 under a frozen clock: each test starts without the failed
    identity checks of the tests before it, as on a fresh database."""
    if "stack" in request.fixturenames:
        stack: Stack = request.getfixturevalue("stack")
        engine = make_engine(stack.database_url)
        with engine.begin() as connection:
            connection.execute(delete(IdentityFailure))
        engine.dispose()


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The model of the current training data (E2E_MODEL=<path> reuses another, for debugging)."""
    override = os.environ.get("E2E_MODEL")
    return Path(override) if override else model_path()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, trained_model: Path) -> Iterator[Stack]:
    """Rasa server + action server on loopback, on a freshly seeded temporary database."""
    servers = Stack(tmp_path_factory.mktemp("stack"))
    servers.seed()
    try:
        servers.start_actions()
        servers.start_rasa(trained_model)
        yield servers
    finally:
        servers.stop_all()


@pytest.fixture(scope="session")
def desk_server(stack: Stack) -> Iterator[DeskServer]:
    """``python -m desk`` on a free loopback port, relaying to the real Rasa of ``stack``."""
    desk = DeskServer(stack).start()
    try:
        yield desk
    finally:
        desk.stop()


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL cluster on loopback, shared by the run: each test that needs one
    takes a database of its own (``tests.support.databases.fresh_postgres_database``)."""
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A throwaway redis-server on loopback (the lock-store tests, the production stores)."""
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()
