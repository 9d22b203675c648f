"""The last word on a message's intent: Rasa's fallback, with two exceptions real shoppers need.

Rasa's ``FallbackClassifier`` answers « Je n'ai pas bien compris » when the best intent is
unsure or barely ahead of the second. Two cases where that is the wrong answer:

- **A closing.** « merci pour votre aide, au revoir » is thanks *and* goodbye: the two share the
  belief and neither wins by the ambiguity margin. When the best intent is a closing and the
  closings together are sure enough, the shopper gets the best of them, never the menu.
- **An order number with a question about its parcel.** « je n'ai toujours pas reçu ma commande
  474918 » looks like the FAQ entry about a missing confirmation e-mail, but a shopper who gives
  an order number and asks where the parcel is wants *that* order looked at. When the FAQ
  selector claimed the message, an order number was found and the best other intent is tracking
  or a lost parcel, the journey wins unless the FAQ is clearly surer (``clear_faq_confidence``).
  Other journeys do not take FAQ questions this way: a broken clasp or a missing item with an
  order number are FAQ questions (after-sales), not returns.

Placed last in the pipeline, after the entity extractors (it reads the order number).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.faq_selector import RETRIEVAL_INTENT as FAQ

CLOSINGS = frozenset({"thanks", "goodbye"})
# The journeys about where a parcel is: « pas reçu », « toujours rien », « livré mais ».
PARCEL_JOURNEYS = frozenset({"track_order", "lost_parcel"})


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ShopperFallback(FallbackClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **FallbackClassifier.get_default_config(),
            # Above this FAQ confidence an order number does not take the message from the FAQ
            # (« je veux changer l'adresse de la commande 482913 » stays a FAQ question).
            "clear_faq_confidence": 0.8,
        }

    def process(self, messages: list[Message]) -> list[Message]:
        clear = float(self.component_config["clear_faq_confidence"])
        for message in messages:
            prefer_order_journey(message, clear)
        return super().process(messages)

    def _should_fallback(self, message: Message) -> bool:
        config = self.component_config
        if is_sure_closing(
            message, float(config["threshold"]), float(config["ambiguity_threshold"])
        ):
            return False
        return bool(super()._should_fallback(message))


def is_sure_closing(message: Message, threshold: float, margin: float) -> bool:
    """The best intent is a closing, and the closings taken as one intent are sure and ahead
    of every other intent by the ambiguity margin (« merci mais je n'ai toujours pas reçu mon
    colis » is not a closing)."""
    intent = message.get(INTENT) or {}
    if intent.get("name") not in CLOSINGS:
        return False
    ranking = message.get(INTENT_RANKING_KEY) or []
    scores = [(item.get("name"), float(item.get("confidence") or 0.0)) for item in ranking]
    share = sum(confidence for name, confidence in scores if name in CLOSINGS)
    other = max((confidence for name, confidence in scores if name not in CLOSINGS), default=0.0)
    return share >= threshold and share - other >= margin


def prefer_order_journey(message: Message, clear_faq_confidence: float) -> None:
    """A FAQ question that names an order number goes to tracking or the lost parcel, when that
    journey is the best of the other intents and the FAQ is not clearly surer."""
    intent = message.get(INTENT) or {}
    faq_confidence = float(intent.get("confidence") or 0.0)
    if intent.get("name") != FAQ or faq_confidence >= clear_faq_confidence:
        return
    if not any(entity.get("entity") == "order_number" for entity in message.get(ENTITIES) or []):
        return
    ranking = message.get(INTENT_RANKING_KEY) or []
    others = [item for item in ranking if item.get("name") != FAQ]
    if not others or others[0].get("name") not in PARCEL_JOURNEYS:
        return
    # An order number makes the FAQ's belief a belief about that order: the journey takes it.
    journey = {
        **others[0],
        "confidence": faq_confidence + float(others[0].get("confidence") or 0.0),
    }
    message.set(INTENT, journey, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [journey, *others[1:]], add_to_output=True)
