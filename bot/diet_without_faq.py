"""DIET trained on the order journeys, small talk and entities, without the FAQ's examples.

With the FAQ's ~2 400 phrasings in its data, DIET learnt ``faq`` as the default class (about 30
phrasings per journey intent against 2 400) and took journey and out-of-scope messages for FAQ
questions with full confidence; its training time also doubled (docs/faq-wiring.md). Whether a
message is a FAQ question, and which entry answers it, is decided after DIET by
``bot.faq_selector.FaqSelector``, a linear classifier over every intent and every FAQ entry.

Long letter-style examples (``max_training_tokens``) are left out of DIET's training too: DIET
pads every message of a batch to the longest one, so a few letters of 60 words in most batches
made each epoch cost as if every message were that long. The FAQ selector, whose cost does not
grow with length, learns them for the intents as well; DIET still reads long messages whole
when it predicts.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.faq_selector import RETRIEVAL_INTENT

# Config key: training examples of more tokens than this are left to the FAQ selector (below).
MAX_TOKENS = "max_training_tokens"


def without_faq(training_data: TrainingData, max_tokens: int | None = None) -> TrainingData:
    """The same training data minus the examples of the retrieval intent ``faq`` (and, with
    ``max_tokens``, minus the examples longer than that)."""
    return TrainingData(
        [
            m
            for m in training_data.training_examples
            if m.get(INTENT) != RETRIEVAL_INTENT
            and (max_tokens is None or len(m.get(TOKENS_NAMES[TEXT]) or []) <= max_tokens)
        ],
        entity_synonyms=training_data.entity_synonyms,
        regex_features=training_data.regex_features,
        lookup_tables=training_data.lookup_tables,
        responses=training_data.responses,
    )


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER,
        DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR,
    ],
    is_trainable=True,
)
class DIETWithoutFaq(DIETClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DIETClassifier.get_default_config(), MAX_TOKENS: None}

    def train(self, training_data: TrainingData) -> Resource:
        return super().train(without_faq(training_data, self.component_config.get(MAX_TOKENS)))
