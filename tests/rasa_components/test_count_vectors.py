"""A message's count-vector features counted directly (bot/count_vectors.py) are the features
Rasa's ``CountVectorsFeaturizer`` makes through scikit-learn, for both featurizers of the trained
model and every message of its training data; a vectorizer counted otherwise goes through
scikit-learn."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.engine.constants import PLACEHOLDER_MESSAGE
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.shared.nlu.constants import ACTION_NAME, TEXT
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from sklearn.feature_extraction.text import CountVectorizer

from bot import count_vectors
from devtools.servers import ROOT, model_path
from tests.rasa_components.test_prediction_states import assert_installed_once

RASAS_OWN = count_vectors._rasas_create_features
# What the training data never says: no word of the vocabulary, digits only, emoji, one letter,
# a long letter, words the vocabulary knows written in capitals.
UNUSUAL = [
    "xyzzy qwfp",
    "275938 12 4",
    "😀 👍",
    "a",
    " ".join(["bonjour je voudrais savoir où en est ma commande"] * 12),
    "JE VEUX ANNULER MA COMMANDE",
]


@pytest.fixture(scope="module")
def agent() -> Agent:
    return Agent.load(str(model_path()))


@pytest.fixture(scope="module")
def featurizers(agent: Agent) -> list[CountVectorsFeaturizer]:
    nodes = agent.processor.graph_runner._instantiated_nodes
    found = [n._component for n in nodes.values()]
    return [c for c in found if isinstance(c, CountVectorsFeaturizer)]


@pytest.fixture(scope="module")
def tokenized(agent: Agent) -> list[Message]:
    """Every training message (and the unusual ones), tokenized as the model does."""
    runner = agent.processor.graph_runner
    tokenizer = next(name for name in runner._instantiated_nodes if "Tokenizer" in name)
    texts = [
        m.get(TEXT)
        for name in ("nlu.yml", "nlu_real_style.yml", "faq.yml")
        for m in load_data(str(ROOT / "bot" / "data" / name)).training_examples
    ]
    messages = []
    for text in [t for t in texts if t] + UNUSUAL:
        ran = runner.run(inputs={PLACEHOLDER_MESSAGE: [UserMessage(text)]}, targets=[tokenizer])
        messages.extend(ran[tokenizer])
    return messages


def matrices(features: list[Any]) -> list[tuple[Any, ...] | None]:
    """Everything of each COO matrix a later reader sees."""
    return [
        None
        if m is None
        else (
            m.format,
            m.shape,
            m.data.dtype,
            m.row.dtype,
            m.col.dtype,
            m.has_canonical_format,
            sorted(vars(m)),
            m.data.tolist(),
            m.row.tolist(),
            m.col.tolist(),
        )
        for m in features
    ]


def test_both_featurizers_count_every_training_message_as_scikit_learn(
    featurizers: list[CountVectorsFeaturizer], tokenized: list[Message]
) -> None:
    assert {f.analyzer for f in featurizers} == {"word", "char_wb"}
    assert len(tokenized) > 2000
    for featurizer in featurizers:
        assert count_vectors.counter_of(featurizer.vectorizers[TEXT]) is not None
        for message in tokenized:
            tokens = featurizer._get_processed_message_tokens_by_attribute(message, TEXT)
            ours = count_vectors.create_features(featurizer, TEXT, [tokens])
            rasas = RASAS_OWN(featurizer, TEXT, [tokens])
            assert [matrices(f) for f in ours] == [matrices(f) for f in rasas], message.get(TEXT)


def test_no_tokens_and_attributes_without_sentence_features_as_rasa(
    featurizers: list[CountVectorsFeaturizer],
) -> None:
    featurizer = featurizers[0]
    assert count_vectors.create_features(featurizer, TEXT, [[]]) == ([None], [None])
    vectorizer = CountVectorizer(analyzer="word", token_pattern=r"(?u)\b\w+\b")
    vectorizer.fit(["action_listen", "utter_greet"])
    featurizer_vectorizers = featurizer.vectorizers
    try:
        featurizer.vectorizers = {**featurizer_vectorizers, ACTION_NAME: vectorizer}
        tokens = ["utter_greet"]
        ours = count_vectors.create_features(featurizer, ACTION_NAME, [tokens])
        rasas = RASAS_OWN(featurizer, ACTION_NAME, [tokens])
    finally:
        featurizer.vectorizers = featurizer_vectorizers
    assert ours[1] == rasas[1] == [None]  # an action's name has no sentence features
    assert matrices(ours[0]) == matrices(rasas[0])


def test_a_binary_or_unfitted_vectorizer_goes_through_scikit_learn() -> None:
    binary = CountVectorizer(binary=True).fit(["une bague en or", "une bague"])
    assert count_vectors.counter_of(binary) is None
    assert count_vectors.counter_of(CountVectorizer()) is None
    plain = CountVectorizer().fit(["une bague en or", "une bague"])
    analyze, vocabulary, dtype = count_vectors.counter_of(plain) or (None, None, None)
    assert vocabulary == plain.vocabulary_ and dtype is np.int64
    counted = count_vectors.counts((analyze, vocabulary, dtype), ["bague bague or", "rien"])
    assert (counted.toarray() == plain.transform(["bague bague or", "rien"]).toarray()).all()


def test_matrices_made_without_scipys_checks_only_when_they_are_scipys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert count_vectors.coo_of is count_vectors._trusted  # this project's scipy
    made = count_vectors.coo_of(
        np.array([3, 1], np.int64), np.array([0, 1], np.int32), np.array([4, 0], np.int32), (2, 5)
    )
    assert (made.toarray() == [[0, 0, 0, 0, 3], [1, 0, 0, 0, 0]]).all()
    assert (made.tocsr() @ np.ones(5) == [3, 1]).all()

    trusted = count_vectors._trusted

    def without_a_flag(*args: Any) -> Any:
        matrix = trusted(*args)
        del matrix.has_canonical_format
        return matrix

    monkeypatch.setattr(count_vectors, "_trusted", without_a_flag)
    assert count_vectors._coo_maker() is count_vectors._built_by_scipy


def test_install_replaces_rasas_counting_once() -> None:
    assert_installed_once(count_vectors.install, CountVectorsFeaturizer, "_create_features")
