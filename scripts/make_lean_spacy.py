"""Save fr_core_news_md without the components the NLU pipeline never reads.

Rasa's SpacyNLP runs every spaCy component but the parser on each message, yet our pipeline
only uses the tokenizer and the static word vectors (SpacyFeaturizer). The lean copy keeps
exactly those; config.yml points SpacyNLP at it. Created by scripts/setup.sh (a few seconds).
"""

from __future__ import annotations

import sys
from pathlib import Path

import spacy

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "fr_core_news_md"
TARGET = ROOT / ".var" / "spacy" / "fr_core_news_md_lean"
UNUSED = ["tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "ner", "senter"]


def main() -> int:
    source_version = spacy.info(SOURCE)["version"]
    stamp = TARGET / "source-version"
    if stamp.exists() and stamp.read_text().strip() == source_version:
        return 0
    nlp = spacy.load(SOURCE, exclude=UNUSED)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(TARGET)
    stamp.write_text(source_version + "\n")
    print(f"==> lean spaCy model written to {TARGET.relative_to(ROOT)} (components: none)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
