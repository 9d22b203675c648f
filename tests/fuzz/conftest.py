"""Fixtures of the fuzz tests: the desk API tests' real app, real SQLite and fake Rasa, with the
shoppers' limits lifted (so that inputs reach the code behind them) and a ``Fuzzer`` on it.

``FUZZ_EXAMPLES`` sets how many inputs each fuzz test generates (small by default, for CI);
``scripts/fuzz.py --examples 10000`` runs the full campaign against the real servers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from desk.app import create_app
from desk.settings import Settings
from desk.shopper_access import conversation_token
from tests.desk.client import DeskTestClient
from tests.desk.conftest import ADMIN, ADMIN_PASSWORD, database_url, db, fake_rasa  # noqa: F401 - shared fixtures
from tests.desk.conftest import settings as desk_settings  # noqa: F401 - shared fixture
from tests.fuzz.harness import Fuzzer, TestClientSocket

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
