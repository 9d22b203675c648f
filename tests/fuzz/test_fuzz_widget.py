"""Fuzzing the shopper's endpoints: hostile bodies, query strings, ids, tokens and WebSocket
frames are answered or refused with a French sentence, never a server error; every message the
desk accepts is stored exactly once, and typed text never reaches the bot as a command."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import sessionmaker

from tests.desk.fake_rasa import FakeRasa
from tests.fuzz.conftest import FUZZ
from tests.fuzz.harness import Fuzzer, expected_shopper_text
from tests.fuzz.inputs import (
    any_text,
    bodies,
    broken_json,
    conversation_ids,
    json_values,
    query_values,
    short_text,
)

MESSAGE_FIELDS = ("text", "payload")
tokens = st.one_of(
    st.just("valid"), st.just("valid"), st.just("valid"), st.none(), short_text, st.just("a.b")
)


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


def received_texts(fake_rasa: FakeRasa) -> list[str]:
    return [str(body.get("message")) for body in fake_rasa.received]


def assert_final(fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa) -> None:
    assert fuzzer.final_problems(db, received_texts(fake_rasa)) == []


def test_fuzz_posted_bodies_are_answered_or_refused_in_french(
    fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    conversations = Conversations(fuzzer)

    @FUZZ
    @given(
        body=bodies(MESSAGE_FIELDS),
        token=tokens,
        fresh=st.integers(0, 9).map(lambda n: n == 0),
        index=st.integers(0, 5),
    )
    def post(body: tuple[str, bytes], token: str | None, fresh: bool, index: int) -> None:
        content_type, raw = body
        fuzzer.post_message(conversations.pick(fresh, index), content_type, raw, token)

    post()
    assert_final(fuzzer, db, fake_rasa)


def test_fuzz_typed_text_is_stored_as_typed_and_never_a_command(
    fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    conversations = Conversations(fuzzer)

    @FUZZ
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
            from urllib.parse import urlencode

            raw = urlencode(fields, encoding="utf-8", errors="surrogatepass").encode()
            content_type = "application/x-www-form-urlencoded"
        else:
            raw = json.dumps(fields).encode()
            content_type = "application/json"
        expected = expected_shopper_text(text if isinstance(text, str) else None)
        answer = fuzzer.post_message(conversation, content_type, raw, expected_text=expected)
        assert (answer.status == 200) == (expected is not None), (answer.status, answer.body)

    post()
    assert_final(fuzzer, db, fake_rasa)


def test_fuzz_reading_messages_with_odd_queries_and_ids(
    fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    conversations = Conversations(fuzzer)

    @FUZZ
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

    read()
    assert_final(fuzzer, db, fake_rasa)


def _positive(value: str) -> bool:
    try:
        return float(value) > 0
    except ValueError:
        return False


def test_fuzz_conversation_ids_and_tokens_on_every_widget_route(
    fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    @FUZZ
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

    call()
    assert_final(fuzzer, db, fake_rasa)


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
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("type") != "message":
        return None
    return expected_shopper_text(data.get("text"))


def test_fuzz_websocket_frames_are_answered_or_refused(
    fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    conversations = Conversations(fuzzer)

    @FUZZ
    @given(
        sent=st.lists(frames, min_size=1, max_size=3),
        fresh=st.integers(0, 9).map(lambda n: n == 0),
        index=st.integers(0, 5),
    )
    def talk(sent: list[str | bytes], fresh: bool, index: int) -> None:
        conversation = conversations.pick(fresh, index)
        fuzzer.socket(conversation, "after=999999", None, sent, _message_frame)

    talk()
    assert_final(fuzzer, db, fake_rasa)


def test_fuzz_websocket_first_frames_and_queries(
    fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    conversations = Conversations(fuzzer)

    @FUZZ
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

    open_socket()
    assert_final(fuzzer, db, fake_rasa)
