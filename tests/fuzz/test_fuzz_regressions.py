"""What the fuzzing found, kept as plain tests: each input once made the desk fail (a server
error, a closed socket, an English refusal); the desk now answers or refuses it clearly."""

from __future__ import annotations

import json
from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import sessionmaker

from devtools.fuzz import campaigns
from devtools.fuzz.harness import TOKEN_HEADER, Fuzzer, looks_french
from devtools.fuzz.inputs import any_text
from tests.desk.fake_rasa import FakeRasa
from tests.fuzz.conftest import FUZZ
from tests.fuzz.test_fuzz_widget import assert_final

DEEP = "[" * 5000
JSON = "application/json"


def detail_of(response: object) -> object:
    return response.json().get("detail")  # type: ignore[attr-defined]


def started(fuzzer: Fuzzer) -> str:
    conversation = fuzzer.start_conversation()
    assert conversation is not None
    return conversation


def test_fuzz_json_nested_too_deep_is_refused_as_invalid_json(
    fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    conversation = started(fuzzer)
    answer = fuzzer.post_message(conversation, "application/json", DEEP.encode())
    assert answer.status == 400
    assert answer.json()["detail"] == "JSON invalide."

    fuzzer.socket(conversation, "", None, [DEEP])  # answered, then the socket still pongs
    fuzzer.socket(conversation, "", "[" * 4000, ['{"type": "ping"}'])  # refused, not a crash
    assert fuzzer.books.statuses["WS /ws/{id}"]["error frame"] == 1
    assert_final(fuzzer, db, fake_rasa)


def test_fuzz_binary_websocket_frame_is_answered_as_unreadable(
    fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    conversation = started(fuzzer)
    socket = fuzzer.connect(f"/ws/{conversation}")
    socket.send_text(json.dumps({"type": "auth", "token": fuzzer.sign(conversation)}))
    socket.send_bytes(b'{"type": "message", "text": "bonjour"}')
    socket.send_text('{"type": "message", "text": "toujours là ?"}')
    frames = []
    while not any(f.get("type") == "message" and f["message"]["author"] == "bot" for f in frames):
        raw = socket.receive(timeout_s=10)
        assert raw is not None, f"socket closed ({socket.close_code}) after {frames}"
        frames.append(json.loads(raw))
    socket.close()
    assert {"type": "error", "detail": "Message illisible."} in frames
    fuzzer.books.shopper_messages[conversation] += 1  # the text frame, not the binary one
    assert_final(fuzzer, db, fake_rasa)


def test_fuzz_cursor_beyond_any_message_id_is_refused_in_french(fuzzer: Fuzzer) -> None:
    conversation = started(fuzzer)
    for after in (2**63, 2**70):
        answer = fuzzer.get_messages(conversation, f"after={after}")
        assert answer.status == 422
        assert answer.json() == {"detail": "Paramètre invalide : after."}
    assert fuzzer.get_messages(conversation, f"after={2**63 - 1}").status == 200
    fuzzer.log_in(*fuzzer.agent)
    answer = fuzzer.client.get(f"/console/api/conversations/{conversation}?after={2**64}")
    assert answer.status_code == 422
    assert looks_french(detail_of(answer))


def test_fuzz_framework_refusals_are_in_french(fuzzer: Fuzzer) -> None:
    conversation = started(fuzzer)
    token = {TOKEN_HEADER: fuzzer.sign(conversation)}
    unknown = fuzzer.client.get("/api/chat//messages", headers=token)
    wrong_method = fuzzer.client.delete("/api/chat")
    bad_query = fuzzer.client.get(f"/api/chat/{conversation}/messages?wait=nan", headers=token)
    assert (unknown.status_code, detail_of(unknown)) == (404, "Adresse introuvable.")
    assert wrong_method.status_code == 405
    assert detail_of(wrong_method) == "Méthode non autorisée pour cette adresse."
    assert (bad_query.status_code, detail_of(bad_query)) == (422, "Paramètre invalide : wait.")


@st.composite
def non_ascii(draw: st.DrawFn) -> str:
    return draw(any_text.filter(lambda t: any(ord(c) > 127 for c in t)))


def test_fuzz_non_ascii_tokens_are_refused_not_a_server_error(fuzzer: Fuzzer) -> None:
    conversation = started(fuzzer)
    fuzzer.log_in(*fuzzer.agent)

    @FUZZ
    @given(token=non_ascii())
    def send(token: str) -> None:
        answer = fuzzer.post_message(conversation, "application/json", b'{"text": "a"}', token)
        assert answer.status == 401
        reply = fuzzer.console_post(
            "reply",
            f"/console/conversations/{conversation}/reply",
            "application/json",
            b'{"text": "a"}',
            token,
        )
        assert reply.status == 403

    send()
    assert fuzzer.client.get("/api/widget/config").status_code == 200


def test_fuzz_default_limits_refuse_in_french_and_lose_nothing(
    make_fuzzer: Callable[..., Fuzzer], db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    """With the desk's default limits the same inputs are refused with 429 or an error frame,
    in French, with Retry-After; a refused message is not stored."""
    fuzzer = make_fuzzer()
    FUZZ(campaigns.under_default_limits(fuzzer))()
    new_conversations = [fuzzer.start_conversation() for _ in range(21)]
    assert None in new_conversations  # the 21st in the hour is refused
    assert fuzzer.books.statuses["POST /api/chat"]["429"] >= 1
    assert fuzzer.books.statuses["POST /api/chat/{id}/messages"]["429"] >= 1
    assert_final(fuzzer, db, fake_rasa)


def test_fuzz_nul_characters_are_refused_not_a_server_error_on_postgresql(
    pg_fuzzer: Fuzzer,
) -> None:
    """SQLite stores a NUL; PostgreSQL refuses it in any statement, a query's parameter too:
    the desk drops it from forms and refuses an address holding one, in French."""
    fuzzer = pg_fuzzer
    fuzzer.log_in(*fuzzer.agent)
    csrf = {"x-csrf-token": (fuzzer.csrf or "").encode()}
    account = {"username": "marie", "display_name": "Ma\x00rie", "role": "agent"}
    account["password"] = "un mot de passe assez long"
    sent = {
        "new account": ("POST", "/console/comptes", json.dumps(account).encode()),
        "role": ("POST", "/console/comptes/ca%00mille/role", b'{"role": "admin"}'),
        "conversation page": ("GET", "/console/conversations/ab%00cd", None),
        "conversation API": ("GET", "/console/api/conversations/ab%00cd", None),
        "personal data export": (
            "POST",
            "/console/donnees-personnelles/export",
            b'{"email": "a\\u0000@example.fr"}',
        ),
    }
    statuses = {
        name: fuzzer.http(name, method, path, body=body, headers=csrf, content_type=JSON).status
        for name, (method, path, body) in sent.items()
    }
    fuzzer.client.cookies.clear()
    login_page = fuzzer.client.get("/console/login").text
    token = login_page.split('name="csrf_token" value="')[1].split('"')[0]
    statuses["login"] = fuzzer.http(
        "login",
        "POST",
        "/console/login",
        body=f"csrf_token={token}&username=ca%00mille&password=x".encode(),
        content_type="application/x-www-form-urlencoded",
    ).status
    assert {name: status for name, status in statuses.items() if status >= 500} == {}
