"""A message's count-vector features counted directly, not through scikit-learn's ``transform``.

For each message Rasa's ``CountVectorsFeaturizer`` calls ``CountVectorizer.transform`` twice
(the message's tokens, one row each, then the whole message as one row), sorts each sparse
matrix's indices and turns it into a COO matrix. On a short message most of that is the call's
own work, not the counting: ``transform`` checks its vocabulary, builds the analyzer again, then
builds, checks and sorts a CSR matrix that ``tocoo`` converts again. Here the analyzer is built
once per vectorizer, each row's n-grams are counted in the vocabulary as the FAQ selector counts
its own (``bot.faq_selector.counted_terms``) and written as the same COO matrix: the same counts,
in the same order (row by row, columns ascending), of the same types (the vectorizer's
``dtype``, 32-bit indices) and shape; a vectorizer that counts otherwise (``binary``, a callable
vocabulary, not fitted) goes through scikit-learn as before.
The matrix is made from its arrays without scipy's checks of them (``coo_of``: 26 µs a matrix,
four a message, against 0.4): they are this module's own, of the right types and in range by
construction. A scipy whose matrices hold other attributes gets its own constructor.
``tests/rasa_components/test_count_vectors.py`` compares both on every training message of the
trained model. Installed by ``scripts/rasa_run.py``, at every Rasa server's start.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from sklearn.feature_extraction.text import CountVectorizer

from bot.faq_selector import counted_terms

_rasas_create_features = CountVectorsFeaturizer._create_features

Counter = tuple[Callable[[str], list[str]], dict[str, int], Any]
_COUNTERS: weakref.WeakKeyDictionary[CountVectorizer, Counter | None] = weakref.WeakKeyDictionary()


def counter_of(vectorizer: CountVectorizer) -> Counter | None:
    """The vectorizer's analyzer, vocabulary and dtype, made once; None when this module does
    not count as the vectorizer would."""
    if vectorizer in _COUNTERS:
        return _COUNTERS[vectorizer]
    vocabulary = getattr(vectorizer, "vocabulary_", None)
    counter: Counter | None = None
    if not vectorizer.binary and isinstance(vocabulary, dict) and vocabulary:
        counter = (vectorizer.build_analyzer(), vocabulary, vectorizer.dtype)
    _COUNTERS[vectorizer] = counter
    return counter


def _built_by_scipy(data: Any, row: Any, col: Any, shape: tuple[int, int]) -> Any:
    return scipy.sparse.coo_matrix((data, (row, col)), shape=shape)


def _trusted(data: Any, row: Any, col: Any, shape: tuple[int, int]) -> Any:
    matrix = scipy.sparse.coo_matrix.__new__(scipy.sparse.coo_matrix)
    matrix._shape, matrix.maxprint = shape, _MAXPRINT
    matrix.row, matrix.col, matrix.data = row, col, data
    matrix.has_canonical_format = False  # as the constructor leaves it
    return matrix


def _coo_maker() -> Callable[[Any, Any, Any, tuple[int, int]], Any]:
    """``_trusted`` when it gives what scipy's constructor gives (checked once on an example),
    else the constructor."""
    example = (np.array([2], np.int64), np.array([0], np.int32), np.array([1], np.int32), (1, 3))
    built, trusted = _built_by_scipy(*example), _trusted(*example)
    same = vars(built).keys() == vars(trusted).keys() and all(
        np.array_equal(getattr(built, name), getattr(trusted, name))
        for name in ("row", "col", "data")
    )
    return _trusted if same and built.shape == trusted.shape else _built_by_scipy


_MAXPRINT = scipy.sparse.coo_matrix((1, 1)).maxprint
coo_of = _coo_maker()


def counts(counter: Counter, documents: list[str]) -> scipy.sparse.coo_matrix:
    """``vectorizer.transform(documents)``, indices sorted, as a COO matrix."""
    analyze, vocabulary, dtype = counter
    rows: list[int] = []
    columns: list[int] = []
    values: list[int] = []
    for row, counted in enumerate(counted_terms(analyze, vocabulary, documents)):
        rows.extend([row] * len(counted))
        columns.extend(counted)
        values.extend(counted.values())
    return coo_of(
        np.array(values, dtype=dtype),
        np.array(rows, dtype=np.int32),
        np.array(columns, dtype=np.int32),
        (len(documents), len(vocabulary)),
    )


def create_features(
    featurizer: CountVectorsFeaturizer, attribute: str, all_tokens: list[list[str]]
) -> tuple[list[Any], list[Any]]:
    """``CountVectorsFeaturizer._create_features`` counting with ``counts``."""
    vectorizer = featurizer.vectorizers.get(attribute)
    counter = counter_of(vectorizer) if vectorizer else None
    if counter is None or len(counter[1]) > np.iinfo(np.int32).max:
        return _rasas_create_features(featurizer, attribute, all_tokens)
    sequence_features: list[Any] = []
    sentence_features: list[Any] = []
    for tokens in all_tokens:
        if not tokens:  # nothing to count, as Rasa's
            sequence_features.append(None)
            sentence_features.append(None)
            continue
        sequence_features.append(counts(counter, tokens))
        if attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
            sentence_features.append(counts(counter, [" ".join(tokens)]))
        else:
            sentence_features.append(None)
    return sequence_features, sentence_features


def install() -> None:
    """Make ``CountVectorsFeaturizer._create_features`` this module's (once)."""
    CountVectorsFeaturizer._create_features = create_features
