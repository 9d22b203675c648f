"""Dialogue repair: the fallback offers the likeliest topics, a journey resumes after a FAQ
answer with a reminder of what the bot was waiting for."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import sessionmaker

import actions.faq
from actions.handoff import ActionFallback
from actions.repair import ActionResumeJourney
from tests.actions.conftest import make_tracker, run_action
from tests.support.servers import ROOT


@pytest.fixture()
def faq(shop_db: sessionmaker, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("KNOWLEDGE_DIR", str(ROOT / "knowledge" / "faq"))
    actions.faq.knowledge.cache_clear()
    actions.faq.knowledge()  # loaded and checked once, outside the action's time limit
    yield
    actions.faq.knowledge.cache_clear()


def fallback_buttons(
    ranking: list[tuple[str, float]], entries: list[tuple[str, float]]
) -> list[dict[str, str]]:
    tracker = make_tracker(intent="nlu_fallback", text="euh le truc")
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.5},
        *({"name": name, "confidence": confidence} for name, confidence in ranking),
    ]
    tracker.latest_message["faq_candidates"] = [
        {"faq_id": entry, "confidence": confidence} for entry, confidence in entries
    ]
    [message], _ = run_action(ActionFallback(), tracker)
    return list(message["buttons"])


def test_the_fallback_offers_the_likeliest_journeys_and_entries_not_the_whole_menu(
    faq: None,
) -> None:
    buttons = fallback_buttons(
        [("lost_parcel", 0.31), ("track_order", 0.22), ("thanks", 0.2), ("cancel_order", 0.02)],
        [("livraison_delais", 0.25), ("paiement_moyens", 0.01)],
    )
    assert [b["payload"] for b in buttons] == [
        "/lost_parcel",
        '/choose_faq{"faq_id": "livraison_delais"}',
        "/track_order",
        "/human_handoff",
    ]
    assert buttons[1]["title"] == actions.faq.knowledge().current().entry("livraison_delais").title


def test_nothing_likely_gets_the_menu_of_topics(faq: None) -> None:
    buttons = fallback_buttons([("greet", 0.5), ("track_order", 0.01)], [])
    assert len(buttons) == 7 and buttons[-1]["payload"] == "/human_handoff"


def test_after_a_faq_answer_the_journey_is_recalled(shop_db: sessionmaker) -> None:
    messages, _ = run_action(ActionResumeJourney(), make_tracker(active_loop="cancel_form"))
    assert messages[0]["text"] == "Revenons à votre demande d'annulation."


def test_no_reminder_outside_a_journey(shop_db: sessionmaker) -> None:
    messages, _ = run_action(ActionResumeJourney(), make_tracker())
    assert messages == []
