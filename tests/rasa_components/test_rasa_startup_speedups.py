"""The start-up fixes of bot/rasa_speedups.py change nothing but time and memory: the spaCy
pipeline is loaded once per name and shared, and spaCy's French token pattern compiles to the
same regex code with the compiler's character-set step memoised."""

from __future__ import annotations

import sre_compile
import sre_parse

from rasa.nlu.utils.spacy_utils import SpacyNLP

import bot  # noqa: F401  (importing the package applies the fixes, as when Rasa loads a model)
from bot.rasa_speedups import charsets_optimised_once, load_spacy_once
from scripts.make_lean_spacy import PACKAGE


def compiled_code(pattern: str) -> list[int]:
    """The code Python's regex engine runs for ``pattern`` (what ``re.compile`` hands to it)."""
    parsed = sre_parse.parse(pattern, 0)
    return list(sre_compile._code(parsed, parsed.state.flags))  # type: ignore[attr-defined]


def test_french_token_pattern_compiles_to_the_same_code() -> None:
    from spacy.lang.fr.tokenizer_exceptions import _regular_exp

    pattern = "(?iu)" + "|".join(f"(?:{expression})" for expression in _regular_exp)
    plain = compiled_code(pattern)
    optimise = sre_compile._optimize_charset  # type: ignore[attr-defined]
    with charsets_optimised_once():
        assert sre_compile._optimize_charset is not optimise  # type: ignore[attr-defined]
        memoised = compiled_code(pattern)
        assert compiled_code(pattern) == memoised  # hits the memo on every set the second time
    assert sre_compile._optimize_charset is optimise  # type: ignore[attr-defined]
    assert len(plain) > 100_000
    assert memoised == plain


def test_spacy_pipeline_loaded_once_and_shared() -> None:
    assert SpacyNLP.load_model is load_spacy_once
    provider = SpacyNLP.create({"model": PACKAGE}, None, None, None)
    processor = SpacyNLP.create({"model": PACKAGE}, None, None, None)
    assert provider.provide().model is processor.provide().model
    assert provider.provide().model("Où est ma commande 482913 ?")[3].has_vector
