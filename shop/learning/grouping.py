"""Similar shopper messages gathered into one group, so an editor labels a question once.

Messages are compared redacted (an order number or an e-mail never makes two questions look
different) and folded (case, accents, punctuation). Exact repeats are counted first; then a
leader clustering over rapidfuzz's ``cdist`` matrix of word-order-free similarity, computed
in C, groups a few thousand messages in a fraction of a second: the most frequent wording not
yet grouped leads, and takes every ungrouped wording at least ``threshold`` similar to it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from shop.knowledge.text import normalise
from shop.learning.pii import PLACEHOLDERS, redact

DEFAULT_THRESHOLD = 80


def folded(text: str) -> str:
    """The form messages are compared in: redacted without the placeholders (« annuler ma
    commande 482913 » is « annuler ma commande »), lower case, no accents or punctuation."""
    text = redact(text)
    for placeholder in PLACEHOLDERS:
        text = text.replace(placeholder, " ")
    return normalise(text)


def group_texts(texts: Sequence[str], threshold: int = DEFAULT_THRESHOLD) -> list[list[int]]:
    """Indexes of ``texts`` in groups of similar messages, biggest group first.

    The first index of a group is its representative (the first occurrence of its most
    frequent wording); the others follow in input order. Ties between groups of the same size
    go to the one whose first message came first, so the same input always gives the same
    groups.
    """
    wordings: dict[str, list[int]] = {}
    for index, text in enumerate(texts):
        wordings.setdefault(folded(text), []).append(index)
    if not wordings:
        return []
    # Most frequent wording first, then first seen: the leaders of the clustering.
    order = sorted(wordings.items(), key=lambda item: (-len(item[1]), item[1][0]))
    # token_sort_ratio is ratio on sorted words: sorting once here is ten times faster than
    # letting cdist sort every pair.
    keys = [" ".join(sorted(key.split())) for key, _ in order]
    scores = cdist(keys, keys, scorer=fuzz.ratio, score_cutoff=threshold, dtype=np.uint8)
    similar = scores >= threshold
    assigned = np.zeros(len(keys), dtype=bool)
    groups: list[list[int]] = []
    for leader in range(len(keys)):
        if assigned[leader]:
            continue
        members = np.flatnonzero(similar[leader] & ~assigned)
        assigned[members] = True
        lead = order[leader][1]
        others = sorted(i for member in members if member != leader for i in order[member][1])
        groups.append([lead[0], *sorted([*lead[1:], *others])])
    groups.sort(key=lambda group: (-len(group), min(group)))
    return groups
