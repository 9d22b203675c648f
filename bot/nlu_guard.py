"""A guard at the end of the NLU pipeline for messages without a single word.

DIET always names some intent, even for "😡😡" or "???": with no token to look at it picks
whatever the bias favours (goodbye, here). A message with no letter and no digit cannot ask
for anything, so it becomes ``nlu_fallback`` and the bot offers the topics it knows.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components import StatelessComponent

FALLBACK = {"name": "nlu_fallback", "confidence": 1.0}


def has_words(text: str) -> bool:
    return any(char.isalnum() for char in text)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class NoWordsFallback(StatelessComponent):
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if has_words(message.get(TEXT) or ""):
                continue
            message.set(INTENT, dict(FALLBACK), add_to_output=True)
            ranking = message.get(INTENT_RANKING_KEY) or []
            message.set(INTENT_RANKING_KEY, [dict(FALLBACK), *ranking], add_to_output=True)
            message.set("entities", [], add_to_output=True)
        return messages
