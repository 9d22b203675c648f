"""Console accounts: stored sessions that a logout or a new password ends, the login lockout
(stored, before any password check, the same for unknown usernames), the password hashes' cost.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from desk import create_agent, security
from desk.security import SESSION_COOKIE, hash_password, verify_password
from desk.settings import Settings
from devtools.servers import FROZEN_NOW
from shop.store import conversation_repository as repo
from shop.store.db import session_scope
from tests.desk.conftest import (
    AGENT,
    AGENT_PASSWORD,
    FAST_SCRYPT_N,
    add_account,
    login,
    login_csrf,
)

LOCKED = "Trop de tentatives de connexion ont échoué"
NEW_PASSWORD = "un-tout-nouveau-mot-de-passe"


def attempt(client: TestClient, username: str, password: str) -> httpx.Response:
    token = login_csrf(client)
    return client.post(
        "/console/login",
        data={"csrf_token": token, "username": username, "password": password},
        follow_redirects=False,
    )


def is_logged_in(client: TestClient) -> bool:
    status = client.get("/console/api/me").status_code
    assert status in (200, 401)
    return status == 200


def replay(client: TestClient, cookie: str) -> None:
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie)


def agent_id(db: sessionmaker, username: str = AGENT) -> int:
    with session_scope(db) as session:
        agent = repo.find_agent(session, username)
        assert agent is not None
        return int(agent.id)


def stored_hash(db: sessionmaker, username: str = AGENT) -> str:
    with session_scope(db) as session:
        agent = repo.find_agent(session, username)
        assert agent is not None
        return str(agent.password_hash)


# --- sessions ---------------------------------------------------------------------------------


def test_finding_07_a_cookie_replayed_after_logout_is_refused(client: TestClient) -> None:
    csrf = login(client)
    cookie = client.cookies.get(SESSION_COOKIE)
    assert cookie and is_logged_in(client)
    logout = client.post("/console/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert logout.status_code == 303
    replay(client, cookie)
    assert not is_logged_in(client)
    page = client.get("/console", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/console/login")


def test_logging_out_ends_that_session_only(
    make_client: Callable[..., TestClient],
) -> None:
    office, phone = make_client(), make_client()
    csrf = login(office)
    login(phone)
    office.post("/console/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert not is_logged_in(office)
    assert is_logged_in(phone)


def test_finding_07_a_signed_cookie_naming_no_stored_session_is_refused(
    client: TestClient, db: sessionmaker
) -> None:
    signer = client.app.state.desk.signer  # type: ignore[attr-defined]
    identity = {"a": agent_id(db), "u": AGENT, "d": "Louise", "n": "nonce"}
    # What the desk used to issue: a valid signature over the agent alone, no session.
    replay(client, signer.sign("session", identity))
    assert not is_logged_in(client)
    replay(client, signer.sign("session", {**identity, "s": "une-session-inventee"}))
    assert not is_logged_in(client)


def test_finding_07_a_new_password_ends_every_session_of_the_agent(
    make_client: Callable[..., TestClient],
    db: sessionmaker,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_account(db, "marc", "mot-de-passe-de-marc")
    office, phone, colleague = make_client(), make_client(), make_client()
    login(office)
    login(phone)
    login(colleague, "marc", "mot-de-passe-de-marc")
    cookie = office.cookies.get(SESSION_COOKIE)
    assert cookie

    monkeypatch.setenv("SHOP_DATABASE_URL", database_url)
    monkeypatch.setenv("DESK_SECRET_KEY", "k" * 48)
    monkeypatch.setenv("DESK_VAR_DIR", str(tmp_path / "cli-var"))
    monkeypatch.setattr("sys.stdin", io.StringIO(NEW_PASSWORD + "\n"))
    assert create_agent.main([AGENT, "--reset", "--password-stdin"]) == 0

    assert not is_logged_in(office) and not is_logged_in(phone)
    replay(office, cookie)
    assert not is_logged_in(office)
    assert is_logged_in(colleague)
    assert attempt(office, AGENT, AGENT_PASSWORD).status_code == 401
    login(office, AGENT, NEW_PASSWORD)
    assert is_logged_in(office)


def change_password(
    client: TestClient, csrf: str, current: str, new: str, confirm: str | None = None
) -> httpx.Response:
    return client.post(
        "/console/mot-de-passe",
        data={
            "csrf_token": csrf,
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
        follow_redirects=False,
    )


def test_finding_07_a_password_changed_in_the_console_ends_the_other_sessions(
    make_client: Callable[..., TestClient],
) -> None:
    office, phone = make_client(), make_client()
    csrf = login(office)
    login(phone)
    old_cookie = office.cookies.get(SESSION_COOKIE)
    assert old_cookie

    changed = change_password(office, csrf, AGENT_PASSWORD, NEW_PASSWORD)
    assert changed.status_code == 303
    assert changed.headers["location"] == "/console/mot-de-passe?change=ok"
    page = office.get("/console/mot-de-passe?change=ok")
    assert page.status_code == 200 and "Votre mot de passe est changé." in page.text
    assert not is_logged_in(phone)
    assert attempt(phone, AGENT, AGENT_PASSWORD).status_code == 401
    login(phone, AGENT, NEW_PASSWORD)
    assert is_logged_in(phone)
    replay(office, old_cookie)
    assert not is_logged_in(office)


def test_the_password_page_refuses_a_wrong_current_password_a_short_or_unconfirmed_one(
    client: TestClient, db: sessionmaker
) -> None:
    csrf = login(client)
    before = stored_hash(db)
    assert client.get("/console/mot-de-passe").status_code == 200
    assert change_password(client, "faux", AGENT_PASSWORD, NEW_PASSWORD).status_code == 403
    short = change_password(client, csrf, AGENT_PASSWORD, "court")
    assert short.status_code == 422 and "au moins 10 caractères" in short.text
    differ = change_password(client, csrf, AGENT_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert differ.status_code == 422 and "ne sont pas identiques" in differ.text
    wrong = change_password(client, csrf, "pas-le-bon-mot-de-passe", NEW_PASSWORD)
    assert wrong.status_code == 403 and "Le mot de passe actuel est incorrect." in wrong.text
    assert stored_hash(db) == before and is_logged_in(client)


def test_finding_08_guessing_the_current_password_from_a_session_is_locked_too(
    client: TestClient, db: sessionmaker
) -> None:
    csrf = login(client)
    before = stored_hash(db)
    statuses = [
        change_password(client, csrf, f"essai-{i}-du-mot-de-passe", NEW_PASSWORD).status_code
        for i in range(6)
    ]
    assert statuses == [403] * 4 + [429] * 2
    locked = change_password(client, csrf, AGENT_PASSWORD, NEW_PASSWORD)
    assert locked.status_code == 429 and LOCKED in locked.text
    assert stored_hash(db) == before


def test_a_session_ends_after_the_session_hours(client: TestClient) -> None:
    login(client)
    clock = client.app.state.desk.clock  # type: ignore[attr-defined]
    clock.set(FROZEN_NOW + timedelta(hours=11, minutes=59))
    assert is_logged_in(client)
    clock.set(FROZEN_NOW + timedelta(hours=12))
    assert not is_logged_in(client)


# --- login lockout ----------------------------------------------------------------------------


def test_finding_08_five_wrong_passwords_lock_the_username_for_15_minutes(
    client: TestClient,
) -> None:
    for _ in range(4):
        assert attempt(client, AGENT, "mauvais").status_code == 401
    fifth = attempt(client, AGENT, "mauvais")
    assert fifth.status_code == 429
    assert LOCKED in fifth.text and "Réessayez dans 15 minutes." in fifth.text
    refused = attempt(client, AGENT, AGENT_PASSWORD)
    assert refused.status_code == 429 and SESSION_COOKIE not in refused.cookies
    assert refused.headers["retry-after"] == "900"

    clock = client.app.state.desk.clock  # type: ignore[attr-defined]
    clock.set(FROZEN_NOW + timedelta(minutes=14, seconds=30))
    still = attempt(client, AGENT, AGENT_PASSWORD)
    assert still.status_code == 429 and "Réessayez dans 1 minute." in still.text
    clock.set(FROZEN_NOW + timedelta(minutes=15))
    assert attempt(client, AGENT, AGENT_PASSWORD).status_code == 303
    assert is_logged_in(client)


def test_finding_08_a_locked_attempt_checks_no_password(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(5):
        attempt(client, AGENT, "mauvais")
    attempt(client, "quelqu-un", "mauvais")  # the hash checked for unknown names, made once
    computed: list[int] = []
    real_scrypt = security._scrypt

    def counting_scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
        computed.append(n)
        return real_scrypt(password, salt, n, r, p)

    monkeypatch.setattr(security, "_scrypt", counting_scrypt)
    for password in ("mauvais", AGENT_PASSWORD, "encore"):
        assert attempt(client, AGENT, password).status_code == 429
    assert computed == []
    assert attempt(client, "quelqu-un", "mauvais").status_code == 401
    assert computed == [FAST_SCRYPT_N]


def test_finding_08_an_unknown_username_is_locked_with_the_same_answer(
    client: TestClient,
) -> None:
    def answers(username: str) -> list[tuple[int, str]]:
        responses = [attempt(client, username, "mauvais") for _ in range(6)]
        return [(r.status_code, r.text.split('role="alert">')[1].split("<")[0]) for r in responses]

    known, unknown = answers(AGENT), answers("personne")
    assert known == unknown
    assert [status for status, _ in known] == [401] * 4 + [429] * 2
    assert LOCKED in known[-1][1]


def test_finding_08_one_address_cannot_try_many_usernames(client: TestClient) -> None:
    statuses = [attempt(client, f"agent{i}", "mauvais").status_code for i in range(20)]
    assert statuses == [401] * 19 + [429]
    refused = attempt(client, AGENT, AGENT_PASSWORD)
    assert refused.status_code == 429 and LOCKED in refused.text


def test_finding_08_the_lock_holds_after_a_restart_and_in_another_desk(
    make_client: Callable[..., TestClient],
) -> None:
    first = make_client()
    for _ in range(5):
        attempt(first, AGENT, "mauvais")
    first.__exit__(None, None, None)  # the desk stops
    restarted, another = make_client(), make_client()
    assert attempt(restarted, AGENT, AGENT_PASSWORD).status_code == 429
    assert attempt(another, AGENT, AGENT_PASSWORD).status_code == 429


def test_a_successful_login_forgives_earlier_mistakes(client: TestClient) -> None:
    for _ in range(4):
        assert attempt(client, AGENT, "mauvais").status_code == 401
    assert attempt(client, AGENT, AGENT_PASSWORD).status_code == 303
    for _ in range(4):
        assert attempt(client, AGENT, "mauvais").status_code == 401
    assert attempt(client, AGENT, AGENT_PASSWORD).status_code == 303


def test_login_limits_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "DESK_SECRET_KEY": "k" * 48,
            "DESK_LOGIN_MAX_FAILURES": "3",
            "DESK_LOGIN_MAX_FAILURES_PER_ADDRESS": "9",
            "DESK_LOGIN_WINDOW_MINUTES": "10",
            "DESK_LOGIN_LOCKOUT_MINUTES": "30",
        }
    )
    assert (
        settings.login_max_failures,
        settings.login_max_failures_per_address,
        settings.login_window_minutes,
        settings.login_lockout_minutes,
    ) == (3, 9, 10, 30)
    assert Settings().login_max_failures == 5 and Settings().login_lockout_minutes == 15


# --- password hashes --------------------------------------------------------------------------


def test_finding_17_new_password_hashes_use_the_current_scrypt_cost() -> None:
    stored = hash_password("secret-123")
    assert stored.split("$")[:4] == ["scrypt", str(2**17), "8", "1"]
    assert verify_password("secret-123", stored)
    assert not verify_password("secret-124", stored)


def test_finding_17_an_older_hash_still_verifies_and_is_redone_at_the_next_login(
    make_client: Callable[..., TestClient], db: sessionmaker
) -> None:
    with session_scope(db) as session:
        agent = repo.get_agent(session, agent_id(db))
        assert agent is not None
        agent.password_hash = hash_password(AGENT_PASSWORD, 2**14)
    client = make_client(password_scrypt_n=2**17)
    login(client)
    upgraded = stored_hash(db)
    assert upgraded.split("$")[:4] == ["scrypt", str(2**17), "8", "1"]
    assert verify_password(AGENT_PASSWORD, upgraded)
    assert is_logged_in(client)
    login(make_client(password_scrypt_n=2**17))
    assert stored_hash(db) == upgraded


def test_a_hash_claiming_an_absurd_cost_is_refused_without_computing_it() -> None:
    assert not verify_password("x", "scrypt$1073741824$8$1$c2FsdA$ZGlnZXN0")
    assert not verify_password("x", "scrypt$1024$1000$1$c2FsdA$ZGlnZXN0")
