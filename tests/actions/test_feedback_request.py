"""Which answers ask the shopper for a rating: a FAQ entry's answer and each journey's final
answer, never a question the bot still waits on, a « Vouliez-vous dire… » or a handoff.

The request is a ``{"feedback": {"topic": ...}}`` custom message right after the answer (Rasa's
REST channel would split one utterance with text and ``custom`` into two messages anyway)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from sqlalchemy.orm import sessionmaker

import actions.faq
from actions.confirmation import ActionHandleConfirmation
from actions.delivery import ActionLostParcel
from actions.faq import ActionAnswerFaq, choose_payload
from actions.handoff import ActionHumanHandoff
from actions.orders import ActionCancelOrder, ActionTrackOrder
from actions.promo import ActionPromoCode
from actions.returns import ActionReturnItem
from actions.sizing import ActionResizeItem
from devtools.servers import ROOT
from shop.store.demo import DEMO_ORDERS
from tests.actions.conftest import make_tracker, run_action, verified


def rating_topics(messages: list[dict[str, Any]]) -> list[str]:
    return [
        m["custom"]["feedback"]["topic"]
        for m in messages
        if isinstance(m.get("custom"), dict) and "feedback" in m["custom"]
    ]


def asks_after_its_answer(messages: list[dict[str, Any]]) -> str:
    """The one topic asked, checking that the request follows the answer it is about."""
    [topic] = rating_topics(messages)
    [at] = [i for i, m in enumerate(messages) if (m.get("custom") or {}).get("feedback")]
    assert messages[at]["custom"] == {"feedback": {"topic": topic}}
    assert at > 0 and messages[at - 1].get("text"), "the request follows an answer with text"
    return topic


def answer(action: Action, tracker: Tracker) -> list[dict[str, Any]]:
    messages, _ = run_action(action, tracker)
    return messages


@pytest.fixture()
def faq(shop_db: sessionmaker, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    monkeypatch.setenv("KNOWLEDGE_DIR", str(ROOT / "knowledge" / "faq"))
    actions.faq.knowledge.cache_clear()
    actions.faq.warm_up()
    entries = list(actions.faq.knowledge().current())
    yield entries[0].id, entries[1].id
    actions.faq.knowledge.cache_clear()


def faq_tracker(
    *ranking: tuple[str, float], entities: list[dict[str, Any]] | None = None
) -> Tracker:
    items = [{"intent_response_key": f"faq/{key}", "confidence": c} for key, c in ranking]
    tracker = make_tracker(intent="faq", text="question", entities=entities)
    tracker.latest_message["response_selector"] = (
        {"faq": {"response": items[0], "ranking": items}} if items else {}
    )
    return tracker


def test_a_faq_answer_asks_for_a_rating_of_its_entry(faq: tuple[str, str]) -> None:
    first, second = faq
    messages = answer(ActionAnswerFaq(), faq_tracker((first, 0.93), (second, 0.03)))
    assert asks_after_its_answer(messages) == f"faq/{first}"


def test_an_entry_chosen_from_the_buttons_asks_for_a_rating(faq: tuple[str, str]) -> None:
    _, second = faq
    tracker = faq_tracker(entities=[{"entity": "faq_id", "value": second}])
    assert asks_after_its_answer(answer(ActionAnswerFaq(), tracker)) == f"faq/{second}"


def test_the_did_you_mean_question_does_not_ask(faq: tuple[str, str]) -> None:
    first, second = faq
    messages = answer(ActionAnswerFaq(), faq_tracker((first, 0.48), (second, 0.41)))
    assert messages[0]["text"] == "Vouliez-vous dire…"
    assert messages[0]["buttons"][0]["payload"] == choose_payload(first)
    assert rating_topics(messages) == []


def test_no_matching_entry_and_other_do_not_ask(faq: tuple[str, str]) -> None:
    first, second = faq
    assert (
        rating_topics(answer(ActionAnswerFaq(), faq_tracker((first, 0.09), (second, 0.08)))) == []
    )
    other = faq_tracker(entities=[{"entity": "faq_id", "value": "other"}])
    assert rating_topics(answer(ActionAnswerFaq(), other)) == []


def pair(kind: str, **slots: Any) -> dict[str, Any]:
    demo = DEMO_ORDERS[kind]
    return verified(demo.number, demo.email, **slots)


FINAL_ANSWERS = {
    "cancel refused after the cut-off": (ActionCancelOrder(), pair("past_cutoff"), "cancel_order"),
    "tracking": (ActionTrackOrder(), pair("shipped_on_time"), "track_order"),
    "return": (ActionReturnItem(), pair("delivered_recent_ring"), "return_item"),
    "resizing": (
        ActionResizeItem(),
        pair("delivered_recent_ring", product_kind="ring", ring_size="56"),
        "resize_item",
    ),
    "promo code": (
        ActionPromoCode(),
        {"promo_code": "bienvenu10", "order_email": None},
        "promo_code_failing",
    ),
    "cancel confirmed": (
        ActionHandleConfirmation(),
        pair("cancellable", pending_confirmation="cancel_order"),
        "cancel_order",
    ),
    "lost parcel inquiry opened": (
        ActionHandleConfirmation(),
        pair("delivered_not_received", pending_confirmation="lost_parcel"),
        "lost_parcel",
    ),
}


@pytest.mark.parametrize("case", FINAL_ANSWERS, ids=list(FINAL_ANSWERS))
def test_a_journeys_final_answer_asks_for_a_rating_of_the_journey(
    shop_db: sessionmaker, case: str
) -> None:
    action, slots, journey = FINAL_ANSWERS[case]
    tracker = make_tracker(slots, intent="affirm" if "pending_confirmation" in slots else "inform")
    assert asks_after_its_answer(answer(action, tracker)) == journey


def test_keeping_the_order_ends_the_cancel_journey_and_asks(shop_db: sessionmaker) -> None:
    tracker = make_tracker(pair("cancellable", pending_confirmation="cancel_order"), intent="deny")
    assert asks_after_its_answer(answer(ActionHandleConfirmation(), tracker)) == "cancel_order"


@pytest.mark.parametrize(
    ("action", "slots"),
    [
        (ActionCancelOrder(), pair("cancellable")),  # « Voulez-vous l'annuler ? »
        (ActionLostParcel(), pair("delivered_not_received")),  # « …ouvre l'enquête ? »
    ],
    ids=["cancel asks for confirmation", "lost parcel offers an inquiry"],
)
def test_a_question_the_bot_still_waits_on_does_not_ask(
    shop_db: sessionmaker, action: Action, slots: dict[str, Any]
) -> None:
    assert rating_topics(answer(action, make_tracker(slots))) == []


def test_a_decision_handed_to_a_person_still_asks_about_the_answer(shop_db: sessionmaker) -> None:
    messages = answer(ActionTrackOrder(), make_tracker(pair("ready_to_ship_stuck")))
    assert "handoff" in messages[-1]["custom"]
    assert asks_after_its_answer(messages) == "track_order"


def test_asking_for_a_person_does_not_ask(shop_db: sessionmaker) -> None:
    assert rating_topics(answer(ActionHumanHandoff(), make_tracker(sender="conv-h"))) == []


def test_an_unverified_journey_does_not_ask(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["cancellable"]
    slots = {"order_number": demo.number, "order_email": demo.email}
    assert rating_topics(answer(ActionTrackOrder(), make_tracker(slots))) == []


def test_a_plain_yes_without_a_pending_question_does_not_ask(shop_db: sessionmaker) -> None:
    messages = answer(ActionHandleConfirmation(), make_tracker(intent="affirm"))
    assert "Que puis-je faire pour vous" in messages[0]["text"]
    assert rating_topics(messages) == []
