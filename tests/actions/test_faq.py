"""FAQ answers: the entry the model picked, its current text filled for the shop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker

import actions.faq
from actions.faq import ActionAnswerFaq
from devtools.servers import ROOT
from tests.actions.conftest import make_tracker, run_action, text_of


@pytest.fixture()
def faq(shop_db: sessionmaker, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("KNOWLEDGE_DIR", str(ROOT / "knowledge" / "faq"))
    actions.faq.knowledge.cache_clear()
    actions.faq.warm_up()  # as the action server does when it starts, not in a shopper's turn
    yield
    actions.faq.knowledge.cache_clear()


def selector(*ranking: tuple[str, float]) -> dict[str, Any]:
    items = [{"intent_response_key": f"faq/{key}", "confidence": c} for key, c in ranking]
    return {"faq": {"response": items[0], "ranking": items}}


def faq_tracker(*ranking: tuple[str, float], entities: list[dict[str, Any]] | None = None):  # type: ignore[no-untyped-def]
    tracker = make_tracker(intent="faq", text="question", entities=entities)
    tracker.latest_message["response_selector"] = selector(*ranking) if ranking else {}
    return tracker


def an_entry() -> tuple[str, str]:
    kb = actions.faq.knowledge().current()
    entries = list(kb)
    return entries[0].id, entries[1].id


def test_a_confident_entry_is_answered_with_its_filled_text(faq: None) -> None:
    first, second = an_entry()
    messages, _ = run_action(ActionAnswerFaq(), faq_tracker((first, 0.93), (second, 0.03)))
    text = messages[0]["text"]  # then the request for a rating (test_feedback_request.py)
    assert text and "{" not in text
    assert text == actions.faq.knowledge().answer(
        first, actions.faq.assistant.context_from_env().profile
    )


def test_close_candidates_ask_which_one_with_titles(faq: None) -> None:
    first, second = an_entry()
    kb = actions.faq.knowledge().current()
    messages, _ = run_action(ActionAnswerFaq(), faq_tracker((first, 0.48), (second, 0.41)))
    [message] = messages
    assert message["text"] == "Vouliez-vous dire…"
    titles = [b["title"] for b in message["buttons"]]
    assert titles[:2] == [kb.entry(first).title, kb.entry(second).title]
    assert titles[-1] == "Autre chose"
    assert message["buttons"][0]["payload"] == '/choose_faq{"faq_id": "' + first + '"}'


def test_no_resembling_entry_offers_to_rephrase_or_a_person(faq: None) -> None:
    first, second = an_entry()
    messages, _ = run_action(ActionAnswerFaq(), faq_tracker((first, 0.09), (second, 0.08)))
    [message] = messages
    assert "reformuler" in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/human_handoff"]


def test_a_chosen_entry_is_answered(faq: None) -> None:
    first, _ = an_entry()
    entities = [{"entity": "faq_id", "value": first}]
    messages, _ = run_action(ActionAnswerFaq(), faq_tracker(entities=entities))
    assert "{" not in text_of(messages) and text_of(messages)


def test_something_else_asks_to_rephrase(faq: None) -> None:
    entities = [{"entity": "faq_id", "value": "other"}]
    messages, _ = run_action(ActionAnswerFaq(), faq_tracker(entities=entities))
    assert "reformuler" in text_of(messages)


def test_the_answer_follows_the_active_shop(faq: None, monkeypatch: pytest.MonkeyPatch) -> None:
    kb = actions.faq.knowledge().current()
    entry = next(
        e for e in kb if "{return_window_days}" in e.answer or "{return_window}" in e.answer
    )
    answers = {}
    for shop in ("bijou_eclat", "maison_ocre"):
        monkeypatch.setenv("SHOP_PROFILE", shop)
        actions.faq.assistant.context_from_env.cache_clear()
        actions.faq.knowledge.cache_clear()
        actions.faq.warm_up()
        messages, _ = run_action(ActionAnswerFaq(), faq_tracker((entry.id, 0.95)))
        answers[shop] = text_of(messages)
    assert answers["bijou_eclat"] != answers["maison_ocre"]
    assert "14" in answers["bijou_eclat"] and "30" in answers["maison_ocre"]


def test_an_unknown_entry_falls_back_politely(faq: None) -> None:
    messages, _ = run_action(ActionAnswerFaq(), faq_tracker(("no_such_entry", 0.99)))
    assert "conseiller" in text_of(messages)


def test_knowledge_dir_is_read_from_the_environment(
    faq: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KNOWLEDGE_DIR", str(tmp_path))
    actions.faq.knowledge.cache_clear()
    with pytest.raises(Exception):  # noqa: B017 - an empty folder is not a knowledge base
        actions.faq.knowledge().current()
