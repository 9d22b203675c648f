"""Fuzzing the shopper's endpoints: hostile bodies, query strings, ids, tokens and WebSocket
frames are answered or refused with a French sentence, never a server error; every message the
desk accepts is stored exactly once, and typed text never reaches the bot as a command."""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker

from devtools.fuzz import campaigns
from devtools.fuzz.harness import Fuzzer
from tests.desk.fake_rasa import FakeRasa
from tests.fuzz.conftest import FUZZ


def received_texts(fake_rasa: FakeRasa) -> list[str]:
    return [str(body.get("message")) for body in fake_rasa.received]


def assert_final(fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa) -> None:
    assert fuzzer.final_problems(db, received_texts(fake_rasa)) == []


def test_fuzz_posted_bodies_are_answered_or_refused_in_french(
    fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    FUZZ(campaigns.posted_bodies_are_answered_or_refused_in_french(fuzzer))()
    assert_final(fuzzer, db, fake_rasa)


def test_fuzz_typed_text_is_stored_as_typed_and_never_a_command(
    fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    FUZZ(campaigns.typed_text_is_stored_as_typed_and_never_a_command(fuzzer))()
    assert_final(fuzzer, db, fake_rasa)


def test_fuzz_reading_messages_with_odd_queries_and_ids(
    fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    FUZZ(campaigns.reading_messages_with_odd_queries_and_ids(fuzzer))()
    assert_final(fuzzer, db, fake_rasa)


def test_fuzz_conversation_ids_and_tokens_on_every_widget_route(
    fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    FUZZ(campaigns.conversation_ids_and_tokens_on_every_widget_route(fuzzer))()
    assert_final(fuzzer, db, fake_rasa)


def test_fuzz_websocket_frames_are_answered_or_refused(
    fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    FUZZ(campaigns.websocket_frames_are_answered_or_refused(fuzzer))()
    assert_final(fuzzer, db, fake_rasa)


def test_fuzz_websocket_first_frames_and_queries(
    fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    FUZZ(campaigns.websocket_first_frames_and_queries(fuzzer))()
    assert_final(fuzzer, db, fake_rasa)


def test_fuzz_oversized_bodies_declared_or_chunked(
    fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    FUZZ(campaigns.oversized_bodies(fuzzer))()
    assert_final(fuzzer, db, fake_rasa)
