"""Normalisation of shopper phrasings, shared by the collision check and the held-out tests.

Two phrasings that differ only by accents, case, apostrophes or punctuation are the same
training example for the model ("Délai de livraison ?" and "delai de livraison"), so they are
compared in this form.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9€%]+")


def fold(text: str) -> str:
    """Lower case without accents: shoppers often drop them ("reduc", "detaxe")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalise(text: str) -> str:
    """Lower case, no accents, punctuation and apostrophes as spaces, single spaces."""
    return _NON_WORD.sub(" ", fold(text)).strip()
