"""DIET trained on the order journeys, small talk and entities, without the FAQ's examples.

With the FAQ's ~2 400 phrasings in its data, DIET learnt ``faq`` as the default class (about 30
phrasings per journey intent against 2 400) and took journey and out-of-scope messages for FAQ
questions with full confidence; its training time also doubled (docs/faq-wiring.md). Whether a
message is a FAQ question, and which entry answers it, is decided after DIET by
``bot.faq_selector.FaqSelector``, a linear classifier over every intent and every FAQ entry.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.shared.nlu.constants import INTENT
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.faq_selector import RETRIEVAL_INTENT


def without_faq(training_data: TrainingData) -> TrainingData:
    """The same training data minus the examples of the retrieval intent ``faq``."""
    return TrainingData(
        [m for m in training_data.training_examples if m.get(INTENT) != RETRIEVAL_INTENT],
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
    def train(self, training_data: TrainingData) -> Resource:
        return super().train(without_faq(training_data))
