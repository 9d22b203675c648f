"""Dialogue repair: the fallback offers the likeliest topics, a journey resumes after a FAQ
answer with a reminder of what the bot was waiting for."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import sessionmaker

import actions.faq
from actions.handoff import ActionFallback
from actions.repair import REMINDERS, ActionResumeJourney
from devtools.servers import ROOT
from tests.actions.conftest import make_tracker, run_action


@pytest.fixture()
def faq(shop_db: sessionmaker, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("KNOWLEDGE_DIR", str(ROOT / "knowledge" / "faq"))
    actions.faq.knowledge.cache_clear()
    actions.faq.knowledge()  # loaded and checked once, outside the action's time limit
    yield
    actions.faq.knowledge.cache_clear()


def fallback_buttons(
    ranking: list[tuple[str, float]],
    entries: list[tuple[str, float]],
    faq_share: float = 0.0,
    text: str = "euh le truc",
) -> list[dict[str, str]]:
    tracker = make_tracker(intent="nlu_fallback", text=text)
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.5},
        *({"name": name, "confidence": confidence} for name, confidence in ranking),
    ]
    tracker.latest_message["faq_share"] = faq_share
    tracker.latest_message["faq_candidates"] = [
        {"faq_id": entry, "confidence": confidence} for entry, confidence in entries
    ]
    [message], _ = run_action(ActionFallback(), tracker)
    return list(message["buttons"])


def test_the_fallback_offers_the_likeliest_journeys_and_entries_not_the_whole_menu(
    faq: None,
) -> None:
    # The FAQ holds 0.4 of the belief: the journeys share the other 0.6.
    buttons = fallback_buttons(
        [("lost_parcel", 0.5), ("track_order", 0.3), ("thanks", 0.2), ("cancel_order", 0.02)],
        [("livraison_delais", 0.25), ("paiement_moyens", 0.01)],
        faq_share=0.4,
    )
    assert [b["payload"] for b in buttons] == [
        "/lost_parcel",
        '/choose_faq{"faq_id": "livraison_delais"}',
        "/track_order",
        "/human_handoff",
    ]
    assert buttons[1]["title"] == actions.faq.knowledge().current().entry("livraison_delais").title


def test_journeys_of_a_message_the_faq_claimed_are_not_scaled_twice(faq: None) -> None:
    # The FAQ selector already gave the journeys their share of the whole belief.
    buttons = fallback_buttons(
        [("faq", 0.5), ("track_order", 0.3), ("lost_parcel", 0.15)],
        [("livraison_delais", 0.25)],
        faq_share=0.5,
    )
    assert [b["payload"] for b in buttons][:2] == [
        "/track_order",
        '/choose_faq{"faq_id": "livraison_delais"}',
    ]


def test_one_likely_topic_is_not_a_choice_the_menu_is_offered(faq: None) -> None:
    buttons = fallback_buttons([("greet", 0.5), ("track_order", 0.4)], [("paiement_moyens", 0.02)])
    assert len(buttons) == 7 and buttons[-1]["payload"] == "/human_handoff"


def test_a_message_without_a_word_gets_the_menu(faq: None) -> None:
    buttons = fallback_buttons(
        [("lost_parcel", 0.5), ("track_order", 0.3)], [("livraison_delais", 0.25)], text="😡😡"
    )
    assert len(buttons) == 7


def test_after_a_faq_answer_the_journey_is_recalled(shop_db: sessionmaker) -> None:
    messages, _ = run_action(ActionResumeJourney(), make_tracker(active_loop="cancel_form"))
    assert messages[0]["text"] == "Revenons à votre demande d'annulation."


def test_no_reminder_outside_a_journey(shop_db: sessionmaker) -> None:
    messages, _ = run_action(ActionResumeJourney(), make_tracker())
    assert messages == []


def test_every_journey_form_has_a_reminder() -> None:
    import yaml

    forms = yaml.safe_load((ROOT / "domain.yml").read_text())["forms"]
    assert set(REMINDERS) == set(forms)
