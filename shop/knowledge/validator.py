"""Check a knowledge folder as a whole before it may answer shoppers.

The loader checks each entry's shape; this module checks what needs every entry and every shop
profile at once: ids used twice, two entries whose phrasings the model could not tell apart,
answers too long for a chat bubble or empty, unknown placeholders, sources that are not one of
the seed documents. Every problem is a ``KnowledgeError`` with file, line and reason, and all of
them are reported in one run so that an editor fixes a file in one pass.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from shop.knowledge.loader import KnowledgeError, KnowledgeLoadError, read_folder
from shop.knowledge.model import SEED_DOCUMENTS, FaqEntry, KnowledgeBase
from shop.knowledge.placeholders import (
    PLACEHOLDERS,
    PlaceholderError,
    fill,
    placeholders_in,
    stray_braces,
)
from shop.knowledge.text import normalise
from shop.policy.profile import SHOPS_DIR, ProfileError, ShopProfile, load_profile

ANSWER_MAX = 700
MIN_EXAMPLES = 8
# Two phrasings of different entries at or above this similarity (0-100) collide.
COLLISION_SCORE = 95
# token_set_ratio scores 100 whenever one phrasing's words are a subset of the other's; only
# count it when the two have nearly the same number of words ("changer mon adresse" vs
# "changer mon adresse mail" collide, "livraison" vs "frais de livraison en Belgique" do not).
TOKEN_SET_MIN_LENGTH_RATIO = 0.8


@dataclass(frozen=True)
class _Phrasing:
    entry: FaqEntry
    text: str
    normalised: str
    line: int


def load_shop_profiles(folder: str | os.PathLike[str] = SHOPS_DIR) -> list[ShopProfile]:
    """Every shop profile of ``knowledge/shops``: answers must fill for each of them."""
    return [load_profile(path) for path in sorted(Path(folder).glob("*.yml"))]


def validate(
    folder: str | os.PathLike[str],
    profiles: Sequence[ShopProfile] | None = None,
    documents: Iterable[str] = SEED_DOCUMENTS,
) -> list[KnowledgeError]:
    """Every problem of the folder, sorted by file and line; an empty list means valid."""
    return check(folder, profiles, documents)[1]


def drafts(folder: str | os.PathLike[str]) -> list[FaqEntry]:
    """The entries without an answer yet (the review inbox's drafts, ``a_rediger.yml``)."""
    return [entry for entry in read_folder(folder).entries if not entry.answer]


def check(
    folder: str | os.PathLike[str],
    profiles: Sequence[ShopProfile] | None = None,
    documents: Iterable[str] = SEED_DOCUMENTS,
    allow_drafts: bool = False,
) -> tuple[KnowledgeBase | None, list[KnowledgeError]]:
    """The knowledge base when the folder is valid (else None), and the problems found.

    An entry without an answer is an error (« réponse à écrire »), unless ``allow_drafts``:
    then it is left out, so that a draft waiting for its answer never stops the running bot
    from answering, nor the product from starting, and is never trained on or served.
    """
    if profiles is None:
        try:
            profiles = load_shop_profiles()
        except ProfileError as exc:
            return None, [KnowledgeError(exc.file, exc.line or 0, f"shop profile: {exc}")]
    result = read_folder(folder)
    errors = list(result.errors)
    entries = tuple(e for e in result.entries if e.answer) if allow_drafts else result.entries
    known_documents = frozenset(documents)
    for entry in entries:
        errors.extend(_entry_errors(entry, profiles, known_documents))
    errors.extend(_duplicate_ids(entries))
    errors.extend(_duplicate_titles(entries))
    errors.extend(_collisions(entries))
    errors.sort(key=lambda e: (e.file, e.line, e.reason))
    if errors:
        return None, errors
    return KnowledgeBase.of(entries), []


def load_valid(
    folder: str | os.PathLike[str],
    profiles: Sequence[ShopProfile] | None = None,
    allow_drafts: bool = False,
) -> KnowledgeBase:
    """The validated knowledge base, or ``KnowledgeLoadError`` listing every problem."""
    knowledge, errors = check(folder, profiles, allow_drafts=allow_drafts)
    if knowledge is None:
        raise KnowledgeLoadError(errors)
    return knowledge


# --------------------------------------------------------------------------- one entry


def _entry_errors(
    entry: FaqEntry, profiles: Sequence[ShopProfile], documents: frozenset[str]
) -> list[KnowledgeError]:
    errors: list[KnowledgeError] = []
    label = f"entry {entry.id!r}"

    def add(key: str, reason: str, line: int | None = None) -> None:
        errors.append(KnowledgeError(entry.file, line or entry.line_of(key), f"{label}: {reason}"))

    if not entry.answer:
        # A draft of the review inbox's export (knowledge/faq/a_rediger.yml) until written.
        add("answer", "answer is empty: réponse à écrire")
    elif len(entry.answer) > ANSWER_MAX:
        add("answer", f"answer is {len(entry.answer)} characters (max {ANSWER_MAX})")
    unknown = sorted({name for name in placeholders_in(entry.answer) if name not in PLACEHOLDERS})
    for name in unknown:
        add("answer", f"unknown placeholder {{{name}}} (see the table in knowledge/GUIDE.md)")
    if stray_braces(entry.answer):
        add("answer", "answer has a brace that is not part of a {placeholder}")
    if entry.answer and not unknown and len(entry.answer) <= ANSWER_MAX:
        for profile in profiles:
            try:
                filled = fill(entry.answer, profile)
            except (PlaceholderError, LookupError, ValueError) as exc:
                add("answer", f"answer cannot be filled for shop {profile.id!r}: {exc}")
                continue
            if len(filled) > ANSWER_MAX:
                add(
                    "answer",
                    f"answer is {len(filled)} characters once filled for shop "
                    f"{profile.id!r} (max {ANSWER_MAX})",
                )
    if len(entry.examples) < MIN_EXAMPLES:
        add(
            "examples",
            f"only {len(entry.examples)} examples (at least {MIN_EXAMPLES} are needed)",
        )
    seen: dict[str, int] = {}
    for text, line in zip(
        entry.phrasings, (entry.line_of("question"), *entry.example_lines), strict=True
    ):
        key = normalise(text)
        if key in seen:
            add("examples", f"example {text!r} repeats line {seen[key]} of the same entry", line)
        else:
            seen[key] = line
    if entry.source.document not in documents:
        add(
            "source",
            f"source.document {entry.source.document!r} is not a seed document "
            f"({', '.join(sorted(documents))})",
        )
    return errors


# --------------------------------------------------------------------------- across entries


def _duplicate_ids(entries: Sequence[FaqEntry]) -> list[KnowledgeError]:
    errors = []
    first: dict[str, FaqEntry] = {}
    for entry in entries:
        if entry.id in first:
            other = first[entry.id]
            errors.append(
                KnowledgeError(
                    entry.file,
                    entry.line_of("id"),
                    f"entry {entry.id!r}: id already used at {other.file}:{other.line_of('id')}",
                )
            )
        else:
            first[entry.id] = entry
    return errors


def _duplicate_titles(entries: Sequence[FaqEntry]) -> list[KnowledgeError]:
    errors = []
    first: dict[str, FaqEntry] = {}
    for entry in entries:
        key = normalise(entry.title)
        other = first.get(key)
        if other is not None and other.id != entry.id:
            errors.append(
                KnowledgeError(
                    entry.file,
                    entry.line_of("title"),
                    f"entry {entry.id!r}: title {entry.title!r} is already the title of "
                    f"entry {other.id!r} ({other.file}:{other.line_of('title')})",
                )
            )
        first.setdefault(key, entry)
    return errors


def _phrasings(entries: Sequence[FaqEntry]) -> list[_Phrasing]:
    result = []
    for entry in entries:
        lines = (entry.line_of("question"), *entry.example_lines)
        for text, line in zip(entry.phrasings, lines, strict=True):
            result.append(_Phrasing(entry, text, normalise(text), line))
    return result


def _collisions(entries: Sequence[FaqEntry]) -> list[KnowledgeError]:
    """Phrasings of two different entries that are the same sentence for the model.

    rapidfuzz's ``cdist`` scores every pair in C: ``ratio`` catches typos and tiny edits,
    ``token_set_ratio`` catches the same words in another order or with one extra word.
    """
    items = _phrasings(entries)
    if not items:
        return []
    texts = [item.normalised for item in items]
    ratio = cdist(texts, texts, scorer=fuzz.ratio, score_cutoff=COLLISION_SCORE, workers=-1)
    token_set = cdist(
        texts, texts, scorer=fuzz.token_set_ratio, score_cutoff=COLLISION_SCORE, workers=-1
    )
    word_counts = [len(text.split()) or 1 for text in texts]
    errors = []
    reported: set[tuple[str, str, str]] = set()
    # Only the pairs above the cutoff (a few dozen of ~3 million) are looked at in Python:
    # looping over every pair took 10 s with 2 400 phrasings, and the action server validates
    # the folder when it loads it.
    candidates = np.argwhere(
        np.triu((ratio >= COLLISION_SCORE) | (token_set >= COLLISION_SCORE), 1)
    )
    for i, j in candidates.tolist():
        left, right = items[i], items[j]
        if left.entry.id == right.entry.id:
            continue
        identical = left.normalised == right.normalised
        similar = ratio[i][j] >= COLLISION_SCORE
        if not identical and not similar and token_set[i][j] >= COLLISION_SCORE:
            shorter, longer = sorted((word_counts[i], word_counts[j]))
            similar = shorter / longer >= TOKEN_SET_MIN_LENGTH_RATIO
        if not (identical or similar):
            continue
        key = (right.normalised, left.entry.id, right.entry.id)
        if key in reported:
            continue
        reported.add(key)
        how = "is the same phrasing as" if identical else "is too close to"
        errors.append(
            KnowledgeError(
                right.entry.file,
                right.line,
                f"entry {right.entry.id!r}: example {right.text!r} {how} {left.text!r} "
                f"of entry {left.entry.id!r} ({left.entry.file}:{left.line})",
            )
        )
    return errors


def summary(knowledge: KnowledgeBase) -> Mapping[str, int]:
    """Entries per file, for the CLI's one-line report."""
    counts: dict[str, int] = {}
    for entry in knowledge:
        counts[entry.file] = counts.get(entry.file, 0) + 1
    return counts
