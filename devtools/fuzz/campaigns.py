"""The fuzz campaigns: for each endpoint, the hostile inputs (hypothesis strategies) and what
is sent with each. A campaign takes a ``Fuzzer`` and returns a hypothesis test to run under
any settings: small and deterministic in the test suite, 10 000 inputs in ``scripts/fuzz.py``.

Shopper side: hostile bodies, query strings, ids, tokens and WebSocket frames. Console: the
login form, the conversation forms (claim, reply, note, hand back, close), the order search,
the JSON API and the personal-data forms, with a logged-in agent and its CSRF token, and
without.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import given
from hypothesis import strategies as st

from desk.deps import MAX_BODY_BYTES
from devtools.fuzz.harness import Fuzzer, expected_shopper_text
from devtools.fuzz.inputs import (
    INJECTIONS,
    any_text,
    bodies,
    broken_json,
    conversation_ids,
    json_values,
    query_values,
    short_text,
)

MESSAGE_FIELDS = ("text", "payload")
CONSOLE_FORM = "POST /console/conversations/{id}/{action}"
ACTIONS = ["claim", "reply", "note", "hand-back", "close"]


def mostly(common: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``common`` four times in five, ``odd`` otherwise: most inputs get past the checks they
    do not target and reach the code behind them."""
    return st.integers(0, 4).flatmap(lambda n: odd if n == 0 else common)


tokens = mostly(st.just("valid"), st.one_of(st.none(), short_text, st.just("a.b")))
csrf_choices = mostly(st.just("valid"), st.sampled_from(["none", "wrong"]))
with_cookies = mostly(st.just(True), st.just(False))


class Conversations:
    """The fuzzer's conversations: a few in use, sometimes a fresh one (the bot's greeting
    offers buttons, so offered payloads are in play)."""

    def __init__(self, fuzzer: Fuzzer) -> None:
        self.fuzzer = fuzzer
        self.current: list[str] = []

    def pick(self, fresh: bool, index: int) -> str:
        if fresh or not self.current:
            conversation = self.fuzzer.start_conversation()
            assert conversation is not None
            self.fuzzer.post_message(
                conversation, "application/json", b'{"text": "bonjour"}', expected_text="bonjour"
            )
            self.current.append(conversation)
        return self.current[index % len(self.current)]


def posted_bodies_are_answered_or_refused_in_french(fuzzer: Fuzzer) -> Callable[[], None]:
    conversations = Conversations(fuzzer)

    @given(
        body=bodies(MESSAGE_FIELDS),
        token=tokens,
        fresh=st.integers(0, 9).map(lambda n: n == 0),
        index=st.integers(0, 5),
    )
    def post(body: tuple[str, bytes], token: str | None, fresh: bool, index: int) -> None:
        content_type, raw = body
        fuzzer.post_message(conversations.pick(fresh, index), content_type, raw, token)

    return post


def typed_text_is_stored_as_typed_and_never_a_command(fuzzer: Fuzzer) -> Callable[[], None]:
    conversations = Conversations(fuzzer)

    @given(
        text=st.one_of(any_text, json_values),
        payload=st.one_of(st.none(), any_text, st.sampled_from(["/track_order", "/restart"])),
        as_form=st.booleans(),
        fresh=st.integers(0, 9).map(lambda n: n == 0),
        index=st.integers(0, 5),
    )
    def post(text: Any, payload: Any, as_form: bool, fresh: bool, index: int) -> None:
        conversation = conversations.pick(fresh, index)
        fields = {"text": text} if payload is None else {"text": text, "payload": payload}
        if as_form:
            if not isinstance(text, str) or not isinstance(payload, (str, type(None))):
                return
            raw = urlencode(fields, encoding="utf-8", errors="surrogatepass").encode()
            content_type = "application/x-www-form-urlencoded"
        else:
            raw = json.dumps(fields).encode()
            content_type = "application/json"
        expected = expected_shopper_text(text if isinstance(text, str) else None)
        answer = fuzzer.post_message(conversation, content_type, raw, expected_text=expected)
        if answer.status == 413:  # the body is over the desk's limit, whatever the text
            assert len(raw) > MAX_BODY_BYTES
        else:
            assert (answer.status == 200) == (expected is not None), (answer.status, answer.body)

    return post


def reading_messages_with_odd_queries_and_ids(fuzzer: Fuzzer) -> Callable[[], None]:
    conversations = Conversations(fuzzer)

    @given(
        after=st.one_of(st.none(), query_values),
        wait=st.one_of(st.none(), query_values),
        conversation=st.one_of(st.none(), conversation_ids),
        token=tokens,
        extra=st.one_of(st.just(""), short_text.map(lambda t: "&" + t)),
    )
    def read(
        after: str | None, wait: str | None, conversation: str | None, token: str | None, extra: str
    ) -> None:
        # A positive wait on a conversation without anything new is a long poll: hold it short.
        if wait is not None and _positive(wait) and (after is None or _positive(after)):
            wait = "0"
        query = "&".join(
            f"{name}={value}"
            for name, value in (("after", after), ("wait", wait))
            if value is not None
        )
        target = conversation if conversation is not None else conversations.pick(False, 0)
        fuzzer.get_messages(target, query + extra, token)

    return read


def _positive(value: str) -> bool:
    try:
        return float(value) > 0
    except ValueError:
        return False


def conversation_ids_and_tokens_on_every_widget_route(fuzzer: Fuzzer) -> Callable[[], None]:
    @given(
        conversation=conversation_ids,
        token=tokens,
        route=st.sampled_from(["post", "erase", "socket"]),
        body=bodies(MESSAGE_FIELDS),
    )
    def call(conversation: str, token: str | None, route: str, body: tuple[str, bytes]) -> None:
        if route == "post":
            fuzzer.post_message(conversation, body[0], body[1], token)
        elif route == "erase":
            fuzzer.erase(conversation, token, body[1])
        else:
            fuzzer.socket(conversation, "", None, [b'{"type": "message", "text": "bonjour"}'])

    return call


frames = st.one_of(
    st.builds(
        lambda text, payload: json.dumps({"type": "message", "text": text, "payload": payload}),
        st.one_of(any_text, json_values),
        st.one_of(st.none(), any_text, json_values, st.sampled_from(["/track_order", "/restart"])),
    ),
    json_values.map(json.dumps),
    broken_json,
    st.text(),
    st.binary(max_size=200),
    st.sampled_from([200_000, 70_000, 65_536]).map(
        lambda n: '{"type":"message","text":"' + "x" * n + '"}'
    ),
)


def _message_frame(frame: str | bytes) -> Any:
    """The message a frame asks to send, or ``None`` when the frame is not one."""
    if isinstance(frame, bytes) or len(frame) > 64 * 1024:
        return None
    try:
        data = json.loads(frame)
    except (ValueError, RecursionError):  # RecursionError: nested too deep
        return None
    if not isinstance(data, dict) or data.get("type") != "message":
        return None
    return expected_shopper_text(data.get("text"))


def websocket_frames_are_answered_or_refused(fuzzer: Fuzzer) -> Callable[[], None]:
    conversations = Conversations(fuzzer)

    @given(
        sent=st.lists(frames, min_size=1, max_size=3),
        fresh=st.integers(0, 9).map(lambda n: n == 0),
        index=st.integers(0, 5),
    )
    def talk(sent: list[str | bytes], fresh: bool, index: int) -> None:
        conversation = conversations.pick(fresh, index)
        fuzzer.socket(conversation, "after=999999", None, sent, _message_frame)

    return talk


def websocket_first_frames_and_queries(fuzzer: Fuzzer) -> Callable[[], None]:
    conversations = Conversations(fuzzer)

    @given(
        first=st.one_of(
            frames,
            st.builds(
                lambda token: json.dumps({"type": "auth", "token": token}),
                st.one_of(json_values, short_text),
            ),
            st.just("[" * 4000),
        ),
        after=st.one_of(st.none(), query_values),
    )
    def open_socket(first: str | bytes, after: str | None) -> None:
        query = f"after={after}" if after is not None else ""
        fuzzer.socket(
            conversations.pick(False, 0), query, first, ['{"type": "message", "text": "bonjour"}']
        )

    return open_socket


def encode(fields: dict[str, Any], as_json: bool) -> tuple[str, bytes]:
    if as_json:
        return "application/json", json.dumps(fields).encode()
    flat = {name: value for name, value in fields.items() if isinstance(value, str)}
    return (
        "application/x-www-form-urlencoded",
        urlencode(flat, encoding="utf-8", errors="surrogatepass").encode(),
    )


class HandedOver:
    """Conversations waiting for a person, whose shopper wrote hostile text first."""

    def __init__(self, fuzzer: Fuzzer) -> None:
        self.fuzzer = fuzzer
        self.current: list[str] = []

    def pick(self, fresh: bool, index: int) -> str:
        if fresh or not self.current:
            conversation = self.fuzzer.start_conversation()
            assert conversation is not None
            for text in [*INJECTIONS[:3], "je veux parler à un conseiller"]:
                self.fuzzer.post_message(
                    conversation, "application/json", json.dumps({"text": text}).encode()
                )
            self.current.append(conversation)
        return self.current[index % len(self.current)]


def csrf_of(fuzzer: Fuzzer, choice: str) -> str | None:
    return {"valid": fuzzer.csrf, "none": None, "wrong": "x" * 32}[choice]


def login_form(fuzzer: Fuzzer) -> Callable[[], None]:
    def login_token() -> str:
        """The login form's token (a successful login ends the one before)."""
        page = fuzzer.client.get("/console/login")
        return page.text.split('name="csrf_token" value="')[1].split('"')[0]

    @given(
        username=st.one_of(st.just(fuzzer.agent[0]), any_text),
        password=st.one_of(st.just(fuzzer.agent[1]), any_text),
        next_path=st.one_of(
            st.none(),
            st.sampled_from(
                ["/console", "//evil.example", "https://evil.example", "/console\r\nX: y"]
            ),
            any_text,
        ),
        csrf=st.sampled_from(["valid", "valid", "none", "wrong"]),
        as_json=st.booleans(),
        raw=st.one_of(st.none(), bodies(("csrf_token", "username", "password", "next"))),
    )
    def log_in(
        username: str,
        password: str,
        next_path: str | None,
        csrf: str,
        as_json: bool,
        raw: tuple[str, bytes] | None,
    ) -> None:
        fields: dict[str, Any] = {"username": username, "password": password}
        if csrf != "none":
            fields["csrf_token"] = login_token() if csrf == "valid" else "x" * 32
        if next_path is not None:
            fields["next"] = next_path
        content_type, body = raw if raw is not None else encode(fields, as_json)
        answer = fuzzer.console_post(
            "POST /console/login", "/console/login", content_type, body, None
        )
        assert answer.status in (303, 400, 401, 403, 413, 422), answer.status
        fuzzer.client.cookies.delete("desk_session")

    return log_in


def conversation_forms_with_and_without_a_session(fuzzer: Fuzzer) -> Callable[[], None]:
    fuzzer.log_in(*fuzzer.agent)
    conversations = HandedOver(fuzzer)

    @given(
        action=mostly(st.sampled_from(["reply", "reply", "reply", "note", *ACTIONS]), short_text),
        conversation=mostly(st.none(), conversation_ids),
        text=mostly(any_text, json_values),
        canned=st.one_of(st.none(), short_text, st.just("delais_livraison")),
        outcome=st.one_of(st.none(), st.sampled_from(["resolved", "refund", ""]), short_text),
        csrf=csrf_choices,
        cookies=with_cookies,
        as_json=st.booleans(),
        fresh=st.integers(0, 9).map(lambda n: n == 0),
        index=st.integers(0, 3),
    )
    def act(
        action: str,
        conversation: str | None,
        text: Any,
        canned: str | None,
        outcome: str | None,
        csrf: str,
        cookies: bool,
        as_json: bool,
        fresh: bool,
        index: int,
    ) -> None:
        target = conversation if conversation is not None else conversations.pick(fresh, index)
        fields: dict[str, Any] = {"text": text}
        if canned is not None:
            fields["canned"] = canned
        if outcome is not None:
            fields["outcome"] = outcome
        content_type, body = encode(fields, as_json)
        path = f"/console/conversations/{quote(target, safe='')}/{quote(action, safe='')}"
        answer = fuzzer.console_post(
            CONSOLE_FORM,
            path,
            content_type,
            body,
            csrf_of(fuzzer, csrf),
            cookies,
        )
        accepted = answer.status == 303 or (
            answer.status == 200
            and answer.headers.get("content-type", "").startswith("application/json")
        )
        if action == "reply" and accepted:
            fuzzer.books.agent_messages[target] += 1
        if action in ("close", "hand-back") and accepted and target in conversations.current:
            conversations.current.remove(target)

    return act


def console_pages_search_and_api(fuzzer: Fuzzer) -> Callable[[], None]:
    fuzzer.log_in(*fuzzer.agent)
    conversations = HandedOver(fuzzer)

    @given(
        page=st.sampled_from(["conversation", "api", "queue", "dashboard", "metrics", "login"]),
        conversation=st.one_of(st.none(), conversation_ids),
        value=st.one_of(st.none(), query_values, any_text.map(lambda t: quote(t[:80], safe=""))),
        cookies=with_cookies,
    )
    def read(page: str, conversation: str | None, value: str | None, cookies: bool) -> None:
        target = quote(
            conversation if conversation is not None else conversations.pick(False, 0), safe=""
        )
        given_value = "" if value is None else value
        if page in ("api", "queue") and _positive(given_value):
            given_value = "0"  # a positive wait is a long poll
        path = {
            "conversation": f"/console/conversations/{target}?order={given_value}",
            "api": f"/console/api/conversations/{target}?after={given_value}&wait={given_value}",
            "queue": f"/console/api/queue?wait={given_value}",
            "dashboard": f"/console/dashboard?days={given_value}",
            "metrics": f"/console/api/metrics?days={given_value}",
            "login": f"/console/login?next={given_value}",
        }[page]
        fuzzer.console_get(f"GET /console/{page}", path, cookies)

    return read


def personal_data_forms(fuzzer: Fuzzer) -> Callable[[], None]:
    fuzzer.log_in(*fuzzer.agent)

    @given(
        form=st.sampled_from(["export", "erase"]),
        email=st.one_of(
            any_text,
            st.emails().map(str),
            st.sampled_from(["a@b", "@", "x@example.fr\r\n", "' OR 1=1 --@example.fr"]),
        ),
        confirm=st.one_of(st.none(), st.just("oui"), short_text),
        preview=st.one_of(st.none(), st.just("1"), short_text),
        csrf=csrf_choices,
        cookies=with_cookies,
        as_json=st.booleans(),
    )
    def submit(
        form: str,
        email: str,
        confirm: str | None,
        preview: str | None,
        csrf: str,
        cookies: bool,
        as_json: bool,
    ) -> None:
        fields: dict[str, Any] = {"email": email}
        if confirm is not None:
            fields["confirm"] = confirm
        if preview is not None:
            fields["preview"] = preview
        content_type, body = encode(fields, as_json)
        fuzzer.console_post(
            f"POST /console/donnees-personnelles/{form}",
            f"/console/donnees-personnelles/{form}",
            content_type,
            body,
            csrf_of(fuzzer, csrf),
            cookies,
        )

    return submit


def oversized_bodies(fuzzer: Fuzzer) -> Callable[[], None]:
    """Bodies around and far over the desk's limit, declared (Content-Length) or chunked."""
    conversations = Conversations(fuzzer)
    fuzzer.log_in(*fuzzer.agent)

    @given(
        size=st.one_of(
            st.sampled_from([MAX_BODY_BYTES - 1, MAX_BODY_BYTES, MAX_BODY_BYTES + 1, 500_000]),
            st.integers(0, 300_000),
        ),
        chunked=st.booleans(),
        route=st.sampled_from(["message", "login", "reply", "erase"]),
        fill=st.sampled_from([b"a", b"\xff", b"{", b"%", b"text=" + "é".encode()]),
    )
    def send(size: int, chunked: bool, route: str, fill: bytes) -> None:
        raw = (fill * (size // len(fill) + 1))[:size]
        body: bytes | Iterator[bytes] = (
            iter([raw[i : i + 16_384] for i in range(0, len(raw), 16_384)]) if chunked else raw
        )
        conversation = conversations.pick(False, 0)
        if route == "message":
            answer = fuzzer.post_message(conversation, "application/x-www-form-urlencoded", body)
        elif route == "erase":
            answer = fuzzer.erase(fuzzer.start_conversation() or conversation, "valid", body)
        else:
            path = (
                "/console/login"
                if route == "login"
                else f"/console/conversations/{conversation}/reply"
            )
            csrf = None if route == "login" else fuzzer.csrf
            answer = fuzzer.console_post(
                "POST /console/login" if route == "login" else CONSOLE_FORM,
                path,
                "application/x-www-form-urlencoded",
                body,
                csrf,
            )
        if route != "erase" and size > MAX_BODY_BYTES:
            assert answer.status == 413, (route, size, answer.status)

    return send


def under_default_limits(fuzzer: Fuzzer) -> Callable[[], None]:
    """Messages on one conversation, over HTTP and the WebSocket, as fast as the fuzzer goes:
    with the desk's default limits, many are refused (429, an error frame) and not stored."""
    conversation = fuzzer.start_conversation()
    assert conversation is not None

    @given(texts=st.lists(any_text, min_size=1, max_size=4), over_socket=st.booleans())
    def send(texts: list[str], over_socket: bool) -> None:
        if over_socket:
            frames = [json.dumps({"type": "message", "text": t}) for t in texts]
            fuzzer.socket(conversation, "after=999999", None, frames, _expected_text)
            return
        for text in texts:
            body = json.dumps({"text": text}).encode()
            fuzzer.post_message(conversation, "application/json", body)

    return send


def _expected_text(frame: str | bytes) -> Any:
    return expected_shopper_text(json.loads(frame)["text"])


# name → (campaign, share of the inputs in a full run)
CAMPAIGNS: dict[str, tuple[Callable[[Fuzzer], Callable[[], None]], int]] = {
    "widget: posted bodies": (posted_bodies_are_answered_or_refused_in_french, 16),
    "widget: typed text": (typed_text_is_stored_as_typed_and_never_a_command, 16),
    "widget: reading messages": (reading_messages_with_odd_queries_and_ids, 8),
    "widget: ids and tokens": (conversation_ids_and_tokens_on_every_widget_route, 8),
    "widget: websocket frames": (websocket_frames_are_answered_or_refused, 14),
    "widget: websocket first frames": (websocket_first_frames_and_queries, 6),
    "console: login form": (login_form, 4),
    "console: conversation forms": (conversation_forms_with_and_without_a_session, 12),
    "console: pages, search, API": (console_pages_search_and_api, 10),
    "console: personal data": (personal_data_forms, 6),
    "oversized bodies": (oversized_bodies, 3),
}
