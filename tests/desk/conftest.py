"""Fixtures of the desk's API tests: a real seeded SQLite database, a fake Rasa over loopback,
a frozen clock (Tuesday 10:00 in Paris, the shop is open) and a TestClient on the real app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from desk.app import create_app
from desk.security import hash_password
from desk.settings import Settings
from desk.shopper_access import conversation_token
from devtools.servers import FROZEN_NOW, ROOT
from shop.store import conversation_repository as repo
from shop.store import conversations  # noqa: F401 - the desk tables belong to the schema
from shop.store.conversations import Role
from shop.store.db import make_engine, make_session_factory, session_scope
from shop.store.seed import reset_and_seed
from tests.desk.client import DeskTestClient
from tests.desk.fake_rasa import TOKEN, FakeRasa

AGENT = "louise"  # an agent: the queue and the conversations
AGENT_PASSWORD = "un-mot-de-passe-solide"
ADMIN = "camille"  # an admin: also accounts and personal data
ADMIN_PASSWORD = "le-mot-de-passe-de-camille"
# Password hashes at a test cost (2 ms instead of 0.5 s); the desk under test uses it as well
# (Settings.password_scrypt_n), so logins neither slow down nor rehash.
FAST_SCRYPT_N = 2**10


@pytest.fixture()
def fake_rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa().start()
    yield fake
    fake.stop()


@pytest.fixture()
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = make_engine(url)
    reset_and_seed(engine, FROZEN_NOW)
    add_account(make_session_factory(engine), AGENT, AGENT_PASSWORD)
    add_account(make_session_factory(engine), ADMIN, ADMIN_PASSWORD, Role.ADMIN)
    engine.dispose()
    monkeypatch.setenv("SHOP_NOW", FROZEN_NOW.isoformat())
    yield url


@pytest.fixture()
def db(database_url: str) -> Iterator[sessionmaker]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture()
def settings(tmp_path: Path, database_url: str, fake_rasa: FakeRasa) -> Settings:
    return Settings(
        rasa_url=fake_rasa.url,
        rasa_token=TOKEN,
        rasa_timeout_s=3.0,
        database_url=database_url,
        secret_key="s" * 48,
        var_dir=tmp_path / "var",
        knowledge_dir=ROOT / "knowledge" / "faq",
        password_scrypt_n=FAST_SCRYPT_N,
    )


@pytest.fixture()
def make_client(settings: Settings) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(base_url: str = "http://testserver", **changes: Any) -> TestClient:
        client = DeskTestClient(create_app(replace(settings, **changes)), base_url=base_url)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture()
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def add_account(
    sessions: sessionmaker, username: str, password: str, role: Role = Role.AGENT
) -> None:
    """A console account with ``role``, its display name the capitalised username."""
    with session_scope(sessions) as session:
        password_hash = hash_password(password, FAST_SCRYPT_N)
        repo.create_agent(session, username, password_hash, username.title(), FROZEN_NOW, role=role)


def login_csrf(client: TestClient) -> str:
    """The CSRF token of the login form (and its cookie, kept by the client)."""
    page = client.get("/console/login")
    assert page.status_code == 200
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]


def login(client: TestClient, username: str = AGENT, password: str = AGENT_PASSWORD) -> str:
    """Log in and return the session's CSRF token (read from the console page)."""
    token = login_csrf(client)
    response = client.post(
        "/console/login",
        data={"csrf_token": token, "username": username, "password": password},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get("/console")
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]


def start(client: TestClient) -> str:
    response = client.post("/api/chat")
    assert response.status_code == 201
    return str(response.json()["id"])


def carry_tokens_of(client: TestClient, *ids: str) -> None:
    """Let ``client`` carry valid tokens for these ids, whether the conversations exist or not."""
    signer = client.app.state.desk.signer  # type: ignore[attr-defined]
    for conversation in ids:
        client.tokens[conversation] = conversation_token(signer, conversation)  # type: ignore[attr-defined]


def say(client: TestClient, conversation: str, text: str, **more: str) -> Any:
    response = client.post(f"/api/chat/{conversation}/messages", json={"text": text, **more})
    assert response.status_code == 200, response.text
    return response.json()
