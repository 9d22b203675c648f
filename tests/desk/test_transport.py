"""The widget's transport: a conversation is bound to the browser that started it, clients are
limited, the WebSocket checks the page's origin, proxies are believed only when trusted, bodies
are cut off while they stream, and conversation ids stay out of the desk's log."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from fastapi import HTTPException
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker
from starlette.requests import Request
from starlette.websockets import WebSocketDisconnect

from desk.deps import MAX_BODY_BYTES, form_data
from desk.limits import ShopperLimits, SlidingWindow
from devtools.servers import FROZEN_NOW, ROOT
from devtools.services import free_port
from devtools.shopper import TOKEN_HEADER, carry_conversation_tokens
from shop.store.conversations import Conversation, Handoff, Message, MessageAuthor
from tests.desk.conftest import AGENT, AGENT_PASSWORD, login, say, start
from tests.desk.fake_rasa import GREETING, TOKEN, FakeRasa
from tests.support.threads import in_own_thread

NO_LONGER_YOURS = "Cette conversation n'est plus accessible depuis ce navigateur"


def shopper_messages(db: sessionmaker, conversation: str) -> list[str]:
    with db() as session:
        query = select(Message.text).where(
            Message.conversation_id == conversation, Message.author == MessageAuthor.SHOPPER
        )
        return list(session.execute(query).scalars())


def frames_until_pong_or_close(socket: Any) -> tuple[list[dict[str, Any]], int | None]:
    """Sends a ping, then reads every frame until the pong (code None) or until the desk
    closes the socket (its close code)."""
    socket.send_json({"type": "ping"})
    frames: list[dict[str, Any]] = []
    try:
        while (frame := socket.receive_json())["type"] != "pong":
            frames.append(frame)
    except WebSocketDisconnect as closed:
        return frames, closed.code
    return frames, None


# --- 03: a conversation belongs to the browser that started it ---------------------------------


def test_finding_03_a_conversation_id_alone_opens_nothing(
    client: TestClient, make_client: Callable[..., TestClient], db: sessionmaker
) -> None:
    conversation = start(client)
    say(client, conversation, "bonjour")
    other = start(client)
    stranger = make_client()  # knows the id (a log, a shared link), not the token
    url = f"/api/chat/{conversation}/messages"

    for token in (None, "", "garbage", "abc.def", client.tokens[other]):  # type: ignore[attr-defined]
        headers = {TOKEN_HEADER: token} if token is not None else {}
        read = stranger.get(url, headers=headers)
        assert read.status_code == 401 and read.json()["detail"].startswith(NO_LONGER_YOURS)
        written = stranger.post(url, json={"text": "annulez ma commande"}, headers=headers)
        assert written.status_code == 401
    assert shopper_messages(db, conversation) == ["bonjour"]
    assert client.get(url).status_code == 200  # the browser that started it carries on


def test_finding_03_new_conversation_comes_with_a_token_naming_it(client: TestClient) -> None:
    created = client.post("/api/chat")
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "token", "mode", "messages"}
    assert body["id"] not in body["token"]  # signed, not the id in clear
    assert client.get(f"/api/chat/{body['id']}/messages").status_code == 200


def test_finding_03_websocket_needs_the_conversation_token_first(
    client: TestClient, make_client: Callable[..., TestClient], db: sessionmaker
) -> None:
    conversation = start(client)
    other = start(client)
    stranger = make_client()
    with stranger.websocket_connect(f"/ws/{conversation}") as socket:
        socket.send_json({"type": "message", "text": "annulez ma commande"})
        frames, code = frames_until_pong_or_close(socket)
    assert code == 4401
    assert frames == [
        {"type": "error", "code": "unauthorized", "detail": frames[0]["detail"]}
    ] and frames[0]["detail"].startswith(NO_LONGER_YOURS)
    with stranger.websocket_connect(f"/ws/{conversation}") as socket:
        socket.send_json({"type": "auth", "token": client.tokens[other]})  # type: ignore[attr-defined]
        assert frames_until_pong_or_close(socket)[1] == 4401
    assert shopper_messages(db, conversation) == []

    with client.websocket_connect(f"/ws/{conversation}") as socket:  # sends its token first
        assert socket.receive_json() == {"type": "mode", "mode": "bot"}


def test_finding_03_desk_log_never_shows_a_conversation_id(
    tmp_path: Path, database_url: str, fake_rasa: FakeRasa
) -> None:
    port = free_port()
    log = tmp_path / "desk.log"
    env = {
        **os.environ,
        "DESK_HOST": "127.0.0.1",
        "DESK_PORT": str(port),
        "DESK_VAR_DIR": str(tmp_path / "var"),
        "DESK_DEMO_AGENT": "0",
        "SHOP_DATABASE_URL": database_url,
        "RASA_URL": fake_rasa.url,
        "RASA_TOKEN": TOKEN,
        "SHOP_NOW": FROZEN_NOW.isoformat(),
    }
    with open(log, "wb") as output:
        desk = subprocess.Popen(
            [sys.executable, "-m", "desk"], cwd=ROOT, env=env, stdout=output, stderr=output
        )
        try:
            conversation, token = _one_conversation(f"127.0.0.1:{port}")
        finally:
            desk.terminate()
            desk.wait(timeout=15)
    written = log.read_text(encoding="utf-8")
    assert '"POST /api/chat HTTP/1.1" 201' in written  # the access log is still there
    assert '"POST /api/chat/<id>/messages HTTP/1.1" 200' in written
    assert '"GET /api/chat/<id>/messages?after=0 HTTP/1.1" 200' in written
    assert '"WebSocket /ws/<id>?after=0" [accepted]' in written
    assert conversation not in written
    assert token not in written


def _one_conversation(address: str) -> tuple[str, str]:
    """A shopper's conversation over HTTP and the WebSocket against a running desk."""
    with httpx.Client(base_url=f"http://{address}", timeout=10) as http:
        tokens = carry_conversation_tokens(http)
        deadline = time.monotonic() + 30
        while True:
            try:
                http.get("/healthz")
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        conversation = str(http.post("/api/chat").json()["id"])
        token = tokens.get(conversation, "<no token>")
        assert http.post(f"/api/chat/{conversation}/messages", json={"text": "bonjour"}).is_success
        assert http.get(f"/api/chat/{conversation}/messages?after=0").is_success

    async def chat() -> None:
        async with websockets.connect(f"ws://{address}/ws/{conversation}?after=0") as socket:
            await socket.send(json.dumps({"type": "auth", "token": token}))
            await socket.send(json.dumps({"type": "message", "text": "bonjour encore"}))
            while True:
                frame = json.loads(await asyncio.wait_for(socket.recv(), 10))
                message = frame.get("message") or {}
                if message.get("text") == GREETING and message["id"] > 2:
                    return

    in_own_thread(asyncio.run, chat())
    return conversation, token


# --- 09: limits per client ---------------------------------------------------------------------


def test_finding_09_new_conversations_are_limited_per_client(
    make_client: Callable[..., TestClient], db: sessionmaker
) -> None:
    client = make_client(new_conversations_per_hour=2)
    start(client)
    start(client)
    refused = client.post("/api/chat")
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Vous avez commencé beaucoup de conversations")
    assert int(refused.headers["Retry-After"]) > 3000
    with db() as session:
        assert session.execute(select(func.count()).select_from(Conversation)).scalar_one() == 2


def test_finding_09_a_message_over_the_limit_is_neither_stored_nor_relayed(
    make_client: Callable[..., TestClient], db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    client = make_client(messages_per_minute=3)
    conversation = start(client)
    for text in ("bonjour", "un", "deux"):
        say(client, conversation, text)
    refused = client.post(f"/api/chat/{conversation}/messages", json={"text": "trois"})
    assert refused.status_code == 429
    assert "patientez" in refused.json()["detail"] and "renvoyez-le" in refused.json()["detail"]
    assert shopper_messages(db, conversation) == ["bonjour", "un", "deux"]
    assert [r["message"] for r in fake_rasa.received] == ["bonjour", "un", "deux"]


def test_finding_09_the_message_limit_counts_every_conversation_of_a_client(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(messages_per_minute=2)
    first, second = start(client), start(client)
    say(client, first, "bonjour")
    say(client, second, "bonjour")
    assert client.post(f"/api/chat/{first}/messages", json={"text": "et alors"}).status_code == 429


def test_finding_09_websocket_says_rate_limited_and_drops_the_message(
    make_client: Callable[..., TestClient], db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    client = make_client(messages_per_minute=1)
    conversation = start(client)
    with client.websocket_connect(f"/ws/{conversation}") as socket:
        socket.send_json({"type": "message", "text": "bonjour"})
        socket.send_json({"type": "message", "text": "vous êtes là ?"})
        errors = [f for f in frames_until_pong_or_close(socket)[0] if f["type"] == "error"]
    assert [e["code"] for e in errors] == ["rate_limited"] and "patientez" in errors[0]["detail"]
    assert shopper_messages(db, conversation) == ["bonjour"]
    assert [r["message"] for r in fake_rasa.received] == ["bonjour"]


def test_finding_09_requests_for_a_person_are_limited_per_client(
    make_client: Callable[..., TestClient], db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    client = make_client(handoffs_per_hour=1)
    first, second = start(client), start(client)
    assert say(client, first, "parler à un conseiller")["mode"] == "waiting_agent"
    turn = say(client, second, "parler à un conseiller")
    assert turn["mode"] == "bot"
    assert [m["author"] for m in turn["messages"]] == ["shopper", "bot"]
    refusal = turn["messages"][1]["text"]
    assert refusal.startswith("Vous avez déjà demandé plusieurs fois à parler à un conseiller")
    assert "Réessayez dans 60 minutes" in refusal
    assert fake_rasa.resumed == [second]  # the bot paused for a person: it answers again
    with db() as session:
        handed = session.execute(select(Handoff.conversation_id)).scalars().all()
    assert handed == [first]
    assert say(client, second, "bonjour")["messages"][1]["text"] == GREETING


def test_sliding_window_forgets_events_older_than_the_window() -> None:
    now = [1000.0]
    window = SlidingWindow(2, 60, clock=lambda: now[0])
    window.record("a")
    now[0] += 30
    window.record("a")
    assert window.wait_s("a") == pytest.approx(30) and window.wait_s("b") == 0
    now[0] += 30
    assert window.wait_s("a") == 0  # the first event left the window
    assert SlidingWindow(0, 60).wait_s("a") == 0  # 0: no limit


def test_a_refused_message_counts_for_neither_window() -> None:
    now = [0.0]
    limits = ShopperLimits(5, 2, 3, clock=lambda: now[0])
    limits.message("1.2.3.4", "conversation-a")
    limits.message("1.2.3.4", "conversation-a")
    for _ in range(3):
        with pytest.raises(Exception, match="beaucoup de messages"):
            limits.message("1.2.3.4", "conversation-b")  # the client's window is full
    now[0] += 61
    limits.message("1.2.3.4", "conversation-b")
    limits.message("5.6.7.8", "conversation-b")  # b's window held one event only


# --- 10: the WebSocket honours DESK_WIDGET_ORIGINS ----------------------------------------------


def test_finding_10_websocket_refuses_pages_outside_widget_origins(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(widget_origins=("https://boutique.example",))
    conversation = start(client)
    url = f"/ws/{conversation}"
    with client.websocket_connect(url, headers={"Origin": "https://pirate.example"}) as socket:
        frames, code = frames_until_pong_or_close(socket)
    assert code == 4403 and frames[0]["code"] == "forbidden"
    for allowed in ("https://boutique.example", "http://testserver"):
        with client.websocket_connect(url, headers={"Origin": allowed}) as socket:
            assert socket.receive_json() == {"type": "mode", "mode": "bot"}


def test_a_star_in_widget_origins_lets_any_page_connect(client: TestClient) -> None:
    conversation = start(client)
    headers = {"Origin": "https://nimporte.example"}
    with client.websocket_connect(f"/ws/{conversation}", headers=headers) as socket:
        assert socket.receive_json() == {"type": "mode", "mode": "bot"}


# --- 12: proxy headers, only from trusted proxies ----------------------------------------------


def _login_cookies(client: TestClient) -> tuple[str, str]:
    """The Set-Cookie headers of the login form and of the session (sent back by hand: a
    Secure cookie does not travel over the test client's plain http)."""
    page = client.get("/console/login")
    form_cookie = page.headers["set-cookie"]
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/console/login",
        data={"csrf_token": token, "username": AGENT, "password": AGENT_PASSWORD},
        headers={"Cookie": form_cookie.split(";")[0]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return form_cookie, str(response.headers["set-cookie"])


def test_finding_12_behind_a_trusted_tls_proxy_the_cookie_is_secure(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(trusted_proxies=("testclient",))
    client.headers["X-Forwarded-Proto"] = "https"
    form_cookie, session_cookie = _login_cookies(client)
    assert form_cookie.startswith("desk_login_csrf=") and "Secure" in form_cookie
    assert "desk_session=" in session_cookie and "Secure" in session_cookie


def test_finding_12_behind_a_trusted_proxy_limits_count_the_shoppers_address(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(trusted_proxies=("testclient",), new_conversations_per_hour=1)

    def create(address: str) -> int:
        return client.post("/api/chat", headers={"X-Forwarded-For": address}).status_code

    assert create("203.0.113.5") == 201
    assert create("203.0.113.5") == 429
    assert create("203.0.113.6") == 201


def test_finding_12_without_trusted_proxies_forwarded_headers_are_ignored(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(new_conversations_per_hour=1)
    client.headers["X-Forwarded-Proto"] = "https"
    assert not any("Secure" in cookie for cookie in _login_cookies(client))
    assert client.post("/api/chat", headers={"X-Forwarded-For": "203.0.113.5"}).status_code == 201
    assert client.post("/api/chat", headers={"X-Forwarded-For": "203.0.113.6"}).status_code == 429
    login(client)  # and the console still works


# --- 16: the body limit holds while the body streams -------------------------------------------


def test_finding_16_a_chunked_body_is_cut_off_once_it_passes_64_kib() -> None:
    chunk = b"x" * 16 * 1024
    pulled = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": pulled < 400}  # 6.4 MB

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/chat/x/messages",
        "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
    }

    async def read() -> None:
        await form_data(Request(scope, receive))

    with pytest.raises(HTTPException) as refused:
        in_own_thread(asyncio.run, read())
    assert refused.value.status_code == 413
    assert pulled == MAX_BODY_BYTES // len(chunk) + 1  # stopped at the first chunk too many


def test_a_chunked_body_over_the_limit_gets_413(client: TestClient) -> None:
    conversation = start(client)

    def body() -> Iterator[bytes]:
        for _ in range(10):
            yield b'{"text": "' + b"a" * 10_000

    response = client.post(f"/api/chat/{conversation}/messages", content=body())
    assert response.status_code == 413 and response.json()["detail"] == "Requête trop volumineuse."
