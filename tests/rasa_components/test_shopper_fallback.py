"""The last word on the intent (bot/shopper_fallback.py): Rasa's fallback, except for closings
and for FAQ questions about a given order."""

from __future__ import annotations

from typing import Any

from rasa.shared.nlu.training_data.message import Message

from bot.shopper_fallback import ShopperFallback

CONFIG = {"threshold": 0.5, "ambiguity_threshold": 0.05, "clear_faq_confidence": 0.8}


def decide(ranking: list[tuple[str, float]], entities: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    items = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    message = Message(
        data={
            "text": "…",
            "intent": dict(items[0]),
            "intent_ranking": [dict(item) for item in items],
            "entities": [{"entity": kind, "value": "482913"} for kind in entities],
        }
    )
    ShopperFallback(dict(CONFIG)).process([message])
    return dict(message.get("intent"))


def test_thanks_and_goodbye_sharing_the_belief_get_a_closing_not_the_fallback() -> None:
    # « merci pour votre aide, au revoir »: neither wins by the ambiguity margin.
    assert decide([("thanks", 0.47), ("goodbye", 0.45), ("greet", 0.05)])["name"] == "thanks"


def test_a_closing_too_unsure_altogether_still_falls_back() -> None:
    assert decide([("goodbye", 0.30), ("out_of_scope", 0.28), ("thanks", 0.10)])["name"] == (
        "nlu_fallback"
    )


def test_thanks_barely_ahead_of_a_request_is_not_a_closing() -> None:
    # « merci mais je n'ai toujours pas reçu mon colis »: the closings, taken together, must be
    # ahead of the best other intent by the ambiguity margin.
    ranking = [("thanks", 0.50), ("lost_parcel", 0.49), ("goodbye", 0.01)]
    assert decide(ranking)["name"] == "nlu_fallback"


def test_two_journeys_as_close_still_fall_back() -> None:
    assert decide([("track_order", 0.46), ("lost_parcel", 0.44)])["name"] == "nlu_fallback"


def test_an_order_number_takes_an_unsure_faq_question_to_the_order_journey() -> None:
    # « je n'ai toujours pas reçu ma commande 474918 » looked like the confirmation e-mail entry.
    intent = decide([("faq", 0.62), ("track_order", 0.30), ("lost_parcel", 0.05)], ["order_number"])
    assert intent["name"] == "track_order"
    assert abs(intent["confidence"] - 0.92) < 1e-9


def test_a_clearly_surer_faq_keeps_the_question_even_with_an_order_number() -> None:
    intent = decide([("faq", 0.81), ("track_order", 0.17)], ["order_number"])
    assert intent["name"] == "faq"


def test_without_an_order_number_the_faq_keeps_the_question() -> None:
    assert decide([("faq", 0.62), ("track_order", 0.30)])["name"] == "faq"


def test_an_order_number_does_not_make_a_journey_of_small_talk() -> None:
    assert decide([("faq", 0.62), ("thanks", 0.30)], ["order_number"])["name"] == "faq"
