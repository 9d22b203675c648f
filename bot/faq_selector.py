"""Which FAQ entry answers a ``faq`` question: a linear classifier trained with the model.

Rasa's ResponseSelector was measured first (docs/faq-wiring.md): with 79 entries of ~11
phrasings it reached the right entry for 67 % of held-out phrasings and added ~4 minutes of
training. A logistic regression over accent-free character n-grams, word n-grams and the
spaCy word vectors of the same pipeline is the right tool for many small classes of short
texts: it trains in seconds and generalises better on the same data (BENCHMARKS.md).

It learns from the retrieval intent ``faq/<entry id>`` of ``bot/data/faq.yml`` (generated from
knowledge/faq) and writes the ResponseSelector's output format, so ``actions/faq.py`` reads
``response_selector.faq.ranking`` whichever selector produced it.
"""

from __future__ import annotations

import pickle
import zlib
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from shop.knowledge.text import fold

RETRIEVAL_INTENT = "faq"
RANKING_LENGTH = 5
MODEL_FILE = "faq_selector.pkl"


def mean_vector(doc: Any, width: int) -> np.ndarray:
    """Normalised mean of the content words' vectors (zeros when none has a vector)."""
    if doc is None:
        return np.zeros(width, dtype=np.float32)
    vectors = [t.vector for t in doc if t.has_vector and not (t.is_stop or t.is_punct)]
    if not vectors:
        return np.zeros(width, dtype=np.float32)
    mean = np.mean(vectors, axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else mean


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class FaqSelector(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"C": 10.0, "vector_weight": 1.0, "char_ngrams": [2, 5], "word_ngrams": [1, 2]}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        fitted: dict[str, Any] | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self.model_storage = model_storage
        self.resource = resource
        self.fitted = fitted

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FaqSelector:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> FaqSelector:
        try:
            with model_storage.read_from(resource) as directory:
                fitted = pickle.loads((directory / MODEL_FILE).read_bytes())
        except (ValueError, FileNotFoundError):  # trained without any FAQ entry
            fitted = None
        return cls(config, model_storage, resource, fitted)

    # --- features -----------------------------------------------------------------------------

    def _features(self, texts: list[str], docs: list[Any], fitting: bool = False) -> csr_matrix:
        assert self.fitted is not None
        chars, words = self.fitted["chars"], self.fitted["words"]
        if fitting:
            chars.fit(texts)
            words.fit(texts)
        width = int(self.fitted["vector_width"])
        dense = np.array([mean_vector(doc, width) for doc in docs], dtype=np.float32)
        weight = float(self.config["vector_weight"])
        return hstack(
            [chars.transform(texts), words.transform(texts), csr_matrix(dense * weight)]
        ).tocsr()

    # --- training -----------------------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        examples = [
            m
            for m in training_data.intent_examples
            if m.get(INTENT) == RETRIEVAL_INTENT and m.get(INTENT_RESPONSE_KEY)
        ]
        if len({m.get(INTENT_RESPONSE_KEY) for m in examples}) < 2:
            return self.resource  # nothing to choose between: process() leaves messages alone
        docs = [m.get(SPACY_DOCS[TEXT]) for m in examples]
        width = next((len(d.vector) for d in docs if d is not None), 0)
        self.fitted = {
            "chars": TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=tuple(self.config["char_ngrams"]),
                preprocessor=fold,
                sublinear_tf=True,
            ),
            "words": TfidfVectorizer(
                analyzer="word",
                ngram_range=tuple(self.config["word_ngrams"]),
                preprocessor=fold,
                sublinear_tf=True,
            ),
            "vector_width": width,
        }
        features = self._features([m.get(TEXT) for m in examples], docs, fitting=True)
        classifier = LogisticRegression(C=float(self.config["C"]), max_iter=5000)
        classifier.fit(features, [m.get(INTENT_RESPONSE_KEY) for m in examples])
        self.fitted["classifier"] = classifier
        with self.model_storage.write_to(self.resource) as directory:
            (directory / MODEL_FILE).write_bytes(pickle.dumps(self.fitted))
        return self.resource

    # --- inference ----------------------------------------------------------------------------

    def rank(self, messages: list[Message]) -> list[list[tuple[str, float]]]:
        """The best entries (``faq/<id>``, probability) of each message, best first."""
        assert self.fitted is not None
        texts = [m.get(TEXT) or "" for m in messages]
        docs = [m.get(SPACY_DOCS[TEXT]) for m in messages]
        probabilities = self.fitted["classifier"].predict_proba(self._features(texts, docs))
        labels = self.fitted["classifier"].classes_
        rankings = []
        for row in probabilities:
            best = np.argsort(row)[::-1][:RANKING_LENGTH]
            rankings.append([(str(labels[i]), float(row[i])) for i in best])
        return rankings

    def process(self, messages: list[Message]) -> list[Message]:
        # Only FAQ questions need an entry: skip messages the intent classifier sent elsewhere.
        asked = [
            m
            for m in messages
            if (m.get(INTENT) or {}).get("name", RETRIEVAL_INTENT) == RETRIEVAL_INTENT
        ]
        if self.fitted is None or not asked:
            return messages
        for message, ranking in zip(asked, self.rank(asked), strict=True):
            entries = [
                {
                    "id": zlib.crc32(key.encode("utf-8")),
                    "confidence": confidence,
                    "intent_response_key": key,
                }
                for key, confidence in ranking
            ]
            best_key, best_confidence = ranking[0]
            output = {
                "all_retrieval_intents": [RETRIEVAL_INTENT],
                RETRIEVAL_INTENT: {
                    "response": {
                        "id": entries[0]["id"],
                        "responses": None,
                        "response_templates": None,
                        "confidence": best_confidence,
                        "intent_response_key": best_key,
                        "utter_action": f"utter_{best_key}",
                        "template_name": f"utter_{best_key}",
                    },
                    "ranking": entries,
                },
            }
            message.set("response_selector", output, add_to_output=True)
        return messages
