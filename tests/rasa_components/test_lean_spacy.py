"""The installed lean spaCy package (scripts/make_lean_spacy.py) gives the NLU pipeline exactly
what the full fr_core_news_md gives it: the same tokens, attributes and vectors, though it
stores none of the full vocabulary's strings; and config.yml names it, never a path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import spacy
import yaml
from spacy.language import Language

from scripts import make_lean_spacy

ROOT = Path(__file__).resolve().parents[2]
ATTRIBUTES = [
    "text", "orth", "lower", "norm", "shape", "prefix", "suffix", "whitespace_", "lemma_",
    "pos_", "tag_", "is_alpha", "is_digit", "is_punct", "is_stop", "is_oov", "like_num",
    "like_email", "like_url", "has_vector", "idx",
]  # fmt: skip


def shoppers_texts() -> list[str]:
    """FAQ phrasings, questions and answers, and the development files' lines: ~4 000 texts of
    every style the bot meets (letters, SMS, phonetic spelling, order numbers, e-mails)."""
    texts: list[str] = []
    for path in sorted((ROOT / "knowledge" / "faq").glob("*.yml")):
        for entry in yaml.safe_load(path.read_text()) or []:
            texts += [entry.get("question", ""), entry.get("answer", "")]
            texts += entry.get("examples", [])
    for path in sorted((ROOT / "tests" / "nlu").glob("dev*.yml")):
        for line in path.read_text().splitlines():
            if line.strip().startswith("- "):
                texts.append(line.strip()[2:])
    texts += ["", "  ", "aujourd'hui c'est-à-dire", "JVEUX ANNULÉ MA CMD 482913 !!!", "😀 ok"]
    return [text for text in texts if isinstance(text, str)]


@pytest.fixture(scope="module")
def pipelines() -> tuple[Language, Language]:
    lean = spacy.load(make_lean_spacy.PACKAGE, disable=["parser"])  # as Rasa's SpacyNLP loads
    full = spacy.load(make_lean_spacy.SOURCE, exclude=make_lean_spacy.UNUSED)
    return lean, full


def test_installed_package_is_the_wanted_one() -> None:
    assert make_lean_spacy.is_up_to_date(), "run scripts/setup.sh"


def test_lean_package_keeps_no_strings_but_every_vector(
    pipelines: tuple[Language, Language],
) -> None:
    lean, full = pipelines
    assert lean.pipe_names == [] and len(full.vocab.strings) > 500_000
    assert len(lean.vocab.strings) < 5_000
    assert np.array_equal(lean.vocab.vectors.data, full.vocab.vectors.data)
    assert lean.vocab.vectors.key2row == full.vocab.vectors.key2row


def test_same_tokens_attributes_and_vectors(pipelines: tuple[Language, Language]) -> None:
    lean, full = pipelines
    texts = shoppers_texts()
    assert len(texts) > 2_000
    for text in texts:
        for case in (text, text.lower()):  # SpacyNLP lowercases (case_sensitive: false)
            lean_doc, full_doc = lean(case), full(case)
            assert len(lean_doc) == len(full_doc), case
            for a, b in zip(lean_doc, full_doc, strict=True):
                for name in ATTRIBUTES:
                    assert getattr(a, name) == getattr(b, name), (case, a.text, name)
                assert np.array_equal(np.asarray(a.vector), np.asarray(b.vector)), (case, a.text)
            assert np.array_equal(np.asarray(lean_doc.vector), np.asarray(full_doc.vector)), case


def test_config_names_no_relative_path() -> None:
    """A path in config.yml would be read from the working directory wherever the trained
    model is loaded, so the model would not travel."""
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    for component in config["pipeline"] + config["policies"]:
        for key, value in component.items():
            if isinstance(value, str):
                assert "/" not in value and not value.startswith("."), (component["name"], key)
    spacy_nlp = next(c for c in config["pipeline"] if c["name"] == "SpacyNLP")
    assert spacy_nlp["model"] == make_lean_spacy.PACKAGE
