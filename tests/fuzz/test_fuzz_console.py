"""Fuzzing the agent console: its login form, the conversation forms, the order search, the
JSON API and the personal-data forms, with a logged-in agent and its CSRF token, and without.
Every answer is a well-formed page, a redirect inside the console or a French refusal; no
shopper text shows unescaped; every reply is stored once."""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker

from devtools.fuzz import campaigns
from devtools.fuzz.harness import Fuzzer
from tests.desk.fake_rasa import FakeRasa
from tests.fuzz.conftest import FUZZ
from tests.fuzz.test_fuzz_widget import assert_final


def test_fuzz_login_form(fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa) -> None:
    FUZZ(campaigns.login_form(fuzzer))()
    assert_final(fuzzer, db, fake_rasa)


def test_fuzz_conversation_forms_with_and_without_a_session(
    fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    FUZZ(campaigns.conversation_forms_with_and_without_a_session(fuzzer))()
    assert_final(fuzzer, db, fake_rasa)


def test_fuzz_console_pages_search_and_api(
    fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    FUZZ(campaigns.console_pages_search_and_api(fuzzer))()
    assert_final(fuzzer, db, fake_rasa)


def test_fuzz_personal_data_forms(fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa) -> None:
    FUZZ(campaigns.personal_data_forms(fuzzer))()
    assert_final(fuzzer, db, fake_rasa)
