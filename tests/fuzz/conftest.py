"""Fixtures of the fuzz tests: the desk API tests' real app, real SQLite and fake Rasa, with the
shoppers' limits lifted (so that inputs reach the code behind them) and a ``Fuzzer`` on it.

``FUZZ_EXAMPLES`` sets how many inputs each fuzz test generates (small by default, for CI);
``scripts/fuzz.py --examples 10000`` runs the full campaign against the real servers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from sqlalchemy.orm import sessionmaker

from desk.app import create_app
from desk.security import hash_password
from desk.settings import Settings
from desk.shopper_access import conversation_token
from devtools.fuzz.harness import Fuzzer, TestClientSocket
from devtools.fuzz.learning_campaigns import ASKING, seed_review_inbox
from devtools.servers import FROZEN_NOW
from devtools.services import PostgresServer
from shop.learning.export import EXPORT_ROOT_ENV
from shop.store import conversation_repository as repo
from shop.store.conversations import Role
from shop.store.db import make_engine, make_session_factory, session_scope
from shop.store.seed import reset_and_seed
from tests.desk.client import DeskTestClient
from tests.desk.conftest import (  # noqa: F401 - shared fixtures
    ADMIN,
    ADMIN_PASSWORD,
    AGENT,
    AGENT_PASSWORD,
    FAST_SCRYPT_N,
    database_url,
    db,
    fake_rasa,
)
from tests.desk.conftest import settings as desk_settings  # noqa: F401 - shared fixture
from tests.desk.fake_rasa import FakeRasa

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))

# Deterministic in CI: the same inputs on every run; scripts/fuzz.py explores at random.
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=list(HealthCheck),
)

NO_LIMITS = {
    "new_conversations_per_hour": 0,
    "messages_per_minute": 0,
    "handoffs_per_hour": 0,
    "login_max_failures": 0,
    "login_max_failures_per_address": 0,
}


def fuzzer_for(client: TestClient) -> Fuzzer:
    """A fuzzer on ``client``, which keeps no token of its own: the fuzzer decides which
    token each request carries."""
    client.event_hooks = {"request": [], "response": []}
    signer = client.app.state.desk.signer  # type: ignore[attr-defined]

    def connect(path: str) -> TestClientSocket:
        session = TestClient.websocket_connect(client, path)
        return TestClientSocket(session.__enter__())

    return Fuzzer(
        client,
        connect,
        lambda conversation: conversation_token(signer, conversation),
        agent=(ADMIN, ADMIN_PASSWORD),  # an admin opens every form the campaigns try
    )


@pytest.fixture()
def make_fuzzer(desk_settings: Settings) -> Iterator[Callable[..., Fuzzer]]:  # noqa: F811
    clients: list[TestClient] = []

    def make(**changes: Any) -> Fuzzer:
        client = DeskTestClient(create_app(replace(desk_settings, **changes)))
        client.__enter__()
        clients.append(client)
        return fuzzer_for(client)

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture()
def fuzzer(make_fuzzer: Callable[..., Fuzzer]) -> Fuzzer:
    """The desk with its shoppers' limits lifted."""
    return make_fuzzer(**NO_LIMITS)


@pytest.fixture()
def export_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The review inbox's export writes here, never into the project's training data."""
    root = tmp_path / "review-export"
    monkeypatch.setenv(EXPORT_ROOT_ENV, str(root))
    return root


def learning_desk(
    make_fuzzer: Callable[..., Fuzzer], sessions: sessionmaker, bot: FakeRasa, **changes: Any
) -> Fuzzer:
    """The desk with its limits lifted, messages in the review inbox, and a bot whose answer
    to a FAQ question asks for a rating, as the real bot's does."""
    with session_scope(sessions) as session:
        seed_review_inbox(session, FROZEN_NOW)
    canned = bot.answer

    def answer(sender: str, text: str) -> list[dict[str, Any]]:
        if text == ASKING:
            bot.latest[sender] = ("faq", 0.95)
            return [
                {"recipient_id": sender, "text": "Oui, en 3 fois sans frais dès 150 €."},
                {"recipient_id": sender, "custom": {"feedback": {"topic": "faq/paiement"}}},
            ]
        return canned(sender, text)

    bot.answer = answer  # type: ignore[method-assign]
    return make_fuzzer(**NO_LIMITS, **changes)


@pytest.fixture()
def learning_fuzzer(
    make_fuzzer: Callable[..., Fuzzer],
    db: sessionmaker,  # noqa: F811
    fake_rasa: FakeRasa,  # noqa: F811
    export_root: Path,
) -> Fuzzer:
    """The learning loop's desk on SQLite."""
    return learning_desk(make_fuzzer, db, fake_rasa)


@pytest.fixture()
def postgres_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A PostgreSQL database of its own, seeded like the desk tests' SQLite one: PostgreSQL
    refuses text SQLite stores (a NUL character), so some bugs show only there."""
    server = PostgresServer().start()
    try:
        engine = make_engine(server.url)
        reset_and_seed(engine, FROZEN_NOW)
        with session_scope(make_session_factory(engine)) as session:
            for username, password, name, role in (
                (AGENT, AGENT_PASSWORD, "Louise", Role.AGENT),
                (ADMIN, ADMIN_PASSWORD, "Camille", Role.ADMIN),
            ):
                password_hash = hash_password(password, FAST_SCRYPT_N)
                repo.create_agent(session, username, password_hash, name, FROZEN_NOW, role=role)
        engine.dispose()
        monkeypatch.setenv("SHOP_NOW", FROZEN_NOW.isoformat())
        yield server.url
    finally:
        server.stop()


@pytest.fixture()
def pg_db(postgres_url: str) -> Iterator[sessionmaker]:
    engine = make_engine(postgres_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture()
def pg_fuzzer(
    make_fuzzer: Callable[..., Fuzzer],
    postgres_url: str,
    pg_db: sessionmaker,
    fake_rasa: FakeRasa,  # noqa: F811
    export_root: Path,
) -> Fuzzer:
    """The learning loop's desk on PostgreSQL (which refuses a NUL character in any
    statement, where SQLite stores it)."""
    fuzzer = learning_desk(make_fuzzer, pg_db, fake_rasa, database_url=postgres_url)
    fuzzer.client._transport.raise_server_exceptions = False  # type: ignore[attr-defined]
    return fuzzer
