"""Is the message a FAQ question, and which entry answers it: one linear classifier.

A logistic regression over accent-free character n-grams, word n-grams and the spaCy word
vectors of the same pipeline learns *flat* classes: one per intent of bot/data/nlu.yml and one
per FAQ entry (the retrieval intent ``faq/<entry id>`` of the generated bot/data/faq.yml). When
its best class is a FAQ entry, the message becomes the intent ``faq`` with the entries' ranking
in the ResponseSelector's output format (``response_selector.faq.ranking``, read by
``actions/faq.py``); otherwise the other intents are ranked by the mean of DIET's beliefs and
its own. DIET itself trains without the FAQ's examples (``bot.diet_without_faq``).

Why flat: measured in docs/faq-wiring.md. DIET with a single ``faq`` intent of ~2 400 examples
took journey and out-of-scope messages for FAQ questions (held-out macro-F1 0.88, 81 % of the
FAQ's held-out phrasings reached), and Rasa's ResponseSelector reached 67 % of them. Competing
entry by entry against the journeys, the classifier only claims a message for the FAQ when one
entry beats every journey; it trains in seconds.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack
from scipy.special import softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from shop.knowledge.text import fold

RETRIEVAL_INTENT = "faq"
ENTRY_PREFIX = f"{RETRIEVAL_INTENT}/"
RANKING_LENGTH = 5
# Key of the parse output listing the likeliest FAQ entries of any message (their share of the
# whole belief), read by actions/handoff.py when the bot did not understand.
FAQ_CANDIDATES = "faq_candidates"
FALLBACK_CHOICES = 3
# Key of the parse output: the FAQ's share of the belief (the other intents share the rest).
FAQ_SHARE = "faq_share"
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


@dataclass(frozen=True)
class TfidfBlock:
    """What scoring needs of one fitted TF-IDF vectorizer, and its rows of the weights."""

    analyze: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: np.ndarray
    weights: np.ndarray

    @classmethod
    def of(cls, vectorizer: TfidfVectorizer, weights: np.ndarray) -> TfidfBlock:
        return cls(vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_, weights)


def counted_terms(
    analyze: Callable[[str], list[str]], vocabulary: dict[str, int], texts: list[str]
) -> Iterator[dict[int, int]]:
    """For each text, its terms' counts by vocabulary column, columns ascending (as
    scikit-learn's ``CountVectorizer`` counts them). Shared with ``bot/count_vectors.py``."""
    for text in texts:
        counts: dict[int, int] = {}
        for term in analyze(text):
            column = vocabulary.get(term)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        yield {column: counts[column] for column in sorted(counts)}


def term_counts(block: TfidfBlock, texts: list[str]) -> csr_matrix:
    """``CountVectorizer.transform(texts)``: the same counts, sorted indices, without its
    per-call validation (two thirds of its time on one short message)."""
    indices: list[int] = []
    values: list[int] = []
    indptr = [0]
    for counted in counted_terms(block.analyze, block.vocabulary, texts):
        indices.extend(counted)
        values.extend(counted.values())
        indptr.append(len(indices))
    shape = (len(texts), len(block.vocabulary))
    return csr_matrix(
        (np.array(values, dtype=np.float64), np.array(indices, dtype=np.int32), indptr),
        shape=shape,
    )


def tfidf_rows(block: TfidfBlock, texts: list[str]) -> csr_matrix:
    """``vectorizer.transform(texts)`` (sublinear tf, idf, l2 norm) without scikit-learn's
    per-call checks, one of which rebuilds the idf vector from a sparse diagonal (0.4 ms of the
    selector's 1.8 ms a message before). ``test_fast_probabilities_equal_scikit_learns`` checks
    the result."""
    counts = term_counts(block, texts)
    data = np.log(counts.data) + 1.0
    data *= block.idf[counts.indices]
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=counts.shape[0]))
    norms[norms == 0] = 1.0
    data /= norms[rows]
    return csr_matrix((data, counts.indices, counts.indptr), shape=counts.shape)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class FaqSelector(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "C": 30.0,
            # Stopping tolerance of the solver: 0.1 stops after ~60 iterations instead of ~110
            # at 1e-4 (27 s of training instead of 50 s). On tests/nlu/dev.yml the linear model
            # alone predicts as it does at 1e-2; the whole pipeline differs on one message.
            # 0.2 (with more data): 57 iterations instead of 75 (32 s instead of 37 s), the
            # linear model alone as accurate on every held-out file; the pipeline scores the same.
            "tol": 0.2,
            "vector_weight": 1.0,
            "char_ngrams": [2, 5],
            # A character n-gram must occur in two training phrasings to become a feature: one
            # seen once only recalls its own phrasing. 40 % fewer character features, training
            # 48 s -> 34 s, the same predictions on tests/nlu/dev.yml but one (now right).
            "char_min_df": 2,
            "word_ngrams": [1, 2],
            # The same for words and word pairs: 15 000 pairs seen once were a third of the
            # features, and the solver's time grows with the number of features (93 classes x
            # features weights): 31 s -> 22 s, the same FAQ reachability (BENCHMARKS.md).
            "word_min_df": 2,
            # A FAQ entry must be the best class *and* the FAQ as a whole this probable; the
            # same value as the FallbackClassifier's threshold, which would drop it otherwise.
            "faq_threshold": 0.5,
            # Weight of DIET in the mean of the two models' beliefs about the other intents.
            "diet_weight": 0.5,
        }

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
        vectorizers = (self.fitted["chars"], self.fitted["words"])
        blocks = [v.fit_transform(texts) if fitting else v.transform(texts) for v in vectorizers]
        width = int(self.fitted["vector_width"])
        dense = np.array([mean_vector(doc, width) for doc in docs], dtype=np.float32)
        weight = float(self.config["vector_weight"])
        return hstack([*blocks, csr_matrix(dense * weight)]).tocsr()

    # --- training -----------------------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        labels = [label_of(m) for m in examples]
        if len({label for label in labels if label.startswith(ENTRY_PREFIX)}) < 2:
            return self.resource  # nothing to choose between: process() leaves messages alone
        docs = [m.get(SPACY_DOCS[TEXT]) for m in examples]
        width = next((len(d.vector) for d in docs if d is not None), 0)
        self.fitted = {
            "chars": TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=tuple(self.config["char_ngrams"]),
                min_df=int(self.config["char_min_df"]),
                preprocessor=fold,
                sublinear_tf=True,
            ),
            "words": TfidfVectorizer(
                analyzer="word",
                ngram_range=tuple(self.config["word_ngrams"]),
                min_df=int(self.config["word_min_df"]),
                preprocessor=fold,
                sublinear_tf=True,
            ),
            "vector_width": width,
        }
        features = self._features([m.get(TEXT) for m in examples], docs, fitting=True)
        classifier = LogisticRegression(
            C=float(self.config["C"]),
            tol=float(self.config["tol"]),
            max_iter=5000,
            multi_class="multinomial",
        )
        classifier.fit(features, labels)
        self.fitted["classifier"] = classifier
        with self.model_storage.write_to(self.resource) as directory:
            (directory / MODEL_FILE).write_bytes(pickle.dumps(self.fitted))
        return self.resource

    # --- inference ----------------------------------------------------------------------------

    def probabilities(self, messages: list[Message]) -> tuple[np.ndarray, np.ndarray]:
        """(class labels, one row of probabilities per message)."""
        assert self.fitted is not None
        texts = [m.get(TEXT) or "" for m in messages]
        docs = [m.get(SPACY_DOCS[TEXT]) for m in messages]
        classifier = self.fitted["classifier"]
        if len(classifier.classes_) < 3:
            return classifier.classes_, classifier.predict_proba(self._features(texts, docs))
        return classifier.classes_, softmax(self._scores(texts, docs), axis=1)

    @cached_property
    def _weights(self) -> tuple[tuple[TfidfBlock, TfidfBlock], np.ndarray]:
        """The classifier's weights cut into its three feature blocks, row-major, once: the
        character and word TF-IDF blocks (with their analyzers and idf vectors) and the
        word-vector block (the classifier's own weights become a view of them)."""
        assert self.fitted is not None
        fitted = self.fitted
        classifier = fitted["classifier"]
        weights = np.ascontiguousarray(classifier.coef_.T)
        # The classifier's coef_ becomes a view of this copy: the same numbers, held once
        # (~21 MB less in each Rasa server; scikit-learn only reads coef_).
        classifier.coef_ = weights.T
        n_chars, n_words = len(fitted["chars"].vocabulary_), len(fitted["words"].vocabulary_)
        sparse_blocks = (
            TfidfBlock.of(fitted["chars"], weights[:n_chars]),
            TfidfBlock.of(fitted["words"], weights[n_chars : n_chars + n_words]),
        )
        return sparse_blocks, weights[n_chars + n_words :] * float(self.config["vector_weight"])

    @cached_property
    def _is_entry(self) -> np.ndarray:
        """For each class of the classifier, whether it is a FAQ entry."""
        assert self.fitted is not None
        classes = self.fitted["classifier"].classes_
        return np.array([str(label).startswith(ENTRY_PREFIX) for label in classes])

    def _scores(self, texts: list[str], docs: list[Any]) -> np.ndarray:
        """The multinomial model's scores, block of features by block of weights.

        Same numbers as ``classifier.decision_function(self._features(...))`` in a fraction of
        the time: scikit-learn's ``predict_proba`` multiplies by a transposed (Fortran-order)
        copy of ~100 x 36 000 weights (8 ms a message), and stacking the three feature blocks
        into one matrix costs more than the three products."""
        assert self.fitted is not None
        sparse_blocks, vector_weights = self._weights
        width = int(self.fitted["vector_width"])
        dense = np.array([mean_vector(doc, width) for doc in docs], dtype=np.float64)
        # np.dot, not the @ operator: for this one-row product numpy's matmul took ~1.5 ms a
        # message inside the Rasa server (py-spy), np.dot a few microseconds.
        scores = np.dot(dense, vector_weights) + self.fitted["classifier"].intercept_
        for block in sparse_blocks:
            scores += tfidf_rows(block, texts) @ block.weights
        return np.asarray(scores)

    def process(self, messages: list[Message]) -> list[Message]:
        asked = [m for m in messages if m.get(TEXT)]
        if self.fitted is None or not asked:
            return messages
        labels, rows = self.probabilities(asked)
        is_entry = self._is_entry
        threshold = float(self.config["faq_threshold"])
        diet_weight = float(self.config["diet_weight"])
        entry_columns = np.flatnonzero(is_entry)
        for message, row in zip(asked, rows, strict=True):
            faq_probability = float(row[is_entry].sum())
            rest = max(1.0 - faq_probability, 1e-9)
            linear = {str(labels[i]): float(row[i]) / rest for i in np.flatnonzero(~is_entry)}
            intents = average_with_diet(message, linear, diet_weight)
            # The entries, likeliest first, sorted once: the three first are offered by the
            # fallback whatever the intent; the ranking of a FAQ question is their head.
            by_likelihood = entry_columns[np.argsort(-row[entry_columns])]
            message.set(FAQ_SHARE, faq_probability, add_to_output=True)
            message.set(
                FAQ_CANDIDATES,
                [
                    {"faq_id": str(labels[i])[len(ENTRY_PREFIX) :], "confidence": float(row[i])}
                    for i in by_likelihood[:FALLBACK_CHOICES]
                ],
                add_to_output=True,
            )
            if is_entry[row.argmax()] and faq_probability >= threshold:
                ranking = [  # P(entry | faq)
                    (str(labels[i]), float(row[i]) / faq_probability)
                    for i in by_likelihood[:RANKING_LENGTH]
                ]
                mark_as_faq(message, faq_probability, intents, ranking)
            elif intents:  # none only when the model learnt nothing but FAQ entries
                message.set(INTENT, intents[0], add_to_output=True)
                message.set(INTENT_RANKING_KEY, intents, add_to_output=True)
        return messages


def average_with_diet(
    message: Message, linear: dict[str, float], diet_weight: float
) -> list[dict[str, Any]]:
    """The non-FAQ intents ranked by the weighted mean of DIET's and the linear model's beliefs.

    Two different learners err on different messages: between two trainings on the same data
    DIET alone moved by 0.03 of held-out macro-F1, the mean moves less (docs/faq-wiring.md).
    """
    diet = {
        str(item["name"]): float(item["confidence"])
        for item in message.get(INTENT_RANKING_KEY) or []
        if item.get("name") not in (RETRIEVAL_INTENT, "nlu_fallback")
    }
    mixed = {
        name: diet_weight * diet.get(name, 0.0) + (1.0 - diet_weight) * linear.get(name, 0.0)
        for name in set(diet) | set(linear)
    }
    return [
        {"name": name, "confidence": confidence}
        for name, confidence in sorted(mixed.items(), key=lambda item: -item[1])
    ]


def label_of(message: Message) -> str:
    """The flat class of a training example: ``faq/<entry id>`` or the intent's name."""
    if message.get(INTENT) == RETRIEVAL_INTENT and message.get(INTENT_RESPONSE_KEY):
        return str(message.get(INTENT_RESPONSE_KEY))
    return str(message.get(INTENT))


def mark_as_faq(
    message: Message,
    confidence: float,
    intents: list[dict[str, Any]],
    ranking: list[tuple[str, float]],
) -> None:
    """Make the message a ``faq`` question answered by ``ranking`` (entry key, P(entry|faq)).

    The other intents follow, scaled to share what the FAQ leaves, so the ranking still sums
    to one and the FallbackClassifier compares like with like.
    """
    others = [{**item, "confidence": item["confidence"] * (1.0 - confidence)} for item in intents]
    intent = {"name": RETRIEVAL_INTENT, "confidence": confidence}
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [intent, *others], add_to_output=True)
    entries = [
        {
            "id": zlib.crc32(key.encode("utf-8")),
            "confidence": probability,
            "intent_response_key": key,
        }
        for key, probability in ranking
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
