"""The entities of a reviewed message, annotated as the training data annotates them.

The training data annotates every product kind, ring size, carrier, date and promo code of
every example, whatever the intent (bot/data/nlu.yml); an example that leaves « bague » or
« hier » bare teaches the model that they are no entity. The export runs each shopper's
message through the same patterns the data declares: the regexes (carrier, date, promo code)
and the synonym blocks (product kinds and carriers, with their canonical value) of
``bot/data/nlu.yml``, read as plain YAML; ring sizes (48 to 70) after « taille », « du »,
« en »… as written in the data. Order numbers and e-mails come as placeholders and are
annotated by the export itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

NLU_FILE = Path(__file__).resolve().parents[2] / "bot" / "data" / "nlu.yml"
PRODUCT_KINDS = ("ring", "bracelet", "watch", "earrings", "necklace", "pendant")
REGEX_ENTITIES = ("carrier", "date", "promo_code")
# « taille 54 », « du 52 », « en 60 »: not « 54,90 € », « en 48h », « 60 jours ».
RING_SIZE = re.compile(
    r"\b(?:taille|tailles|size|du|en|au|un|le|T)\s(?P<size>4[89]|[56]\d|70)"
    r"(?![\d,.]?\d|\s?(?:€|%|eur|euros?|h\b|heures?|min|jours?|ans|cm|mm|mois|semaines?|ml|g\b))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    entity: str
    value: str | None  # the canonical value when it differs from the text


@dataclass(frozen=True)
class Patterns:
    regexes: Mapping[str, tuple[re.Pattern[str], ...]]
    synonyms: Mapping[str, tuple[str, re.Pattern[str], Mapping[str, str]]]  # entity -> words


def _words(values: Mapping[str, str]) -> re.Pattern[str]:
    longest_first = sorted(values, key=len, reverse=True)
    alternatives = "|".join(re.escape(word) for word in longest_first)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=4)
def patterns(nlu_file: Path = NLU_FILE) -> Patterns:
    """The regexes and synonym blocks of the training data."""
    items = (yaml.safe_load(nlu_file.read_text(encoding="utf-8")) or {}).get("nlu") or []
    regexes: dict[str, list[re.Pattern[str]]] = {}
    synonyms: dict[str, str] = {}  # word -> canonical value
    for item in items:
        examples = [
            line[2:].strip()
            for line in str(item.get("examples") or "").splitlines()
            if line.startswith("- ")
        ]
        if item.get("regex") in REGEX_ENTITIES:
            regexes.setdefault(item["regex"], []).extend(
                re.compile(example, re.IGNORECASE) for example in examples
            )
        elif "synonym" in item:
            value = str(item["synonym"])
            synonyms.update({example.casefold(): value for example in [value, *examples]})
    kinds = {word: value for word, value in synonyms.items() if value in PRODUCT_KINDS}
    carriers = {word: value for word, value in synonyms.items() if value not in PRODUCT_KINDS}
    return Patterns(
        regexes={name: tuple(found) for name, found in regexes.items()},
        synonyms={
            "product_kind": ("product_kind", _words(kinds), kinds),
            "carrier": ("carrier", _words(carriers), carriers),
        },
    )


def _candidates(text: str, found: Patterns) -> Iterator[Span]:
    kinds = found.synonyms["product_kind"]
    for match in kinds[1].finditer(text):
        yield Span(match.start(), match.end(), "product_kind", kinds[2][match.group(0).casefold()])
    carriers = found.synonyms["carrier"][2]
    for entity, regexes in found.regexes.items():
        for regex in regexes:
            for match in regex.finditer(text):
                value = None
                if entity == "carrier":
                    written = match.group(0).casefold()
                    value = carriers.get(written, written.replace(" ", "_"))
                yield Span(match.start(), match.end(), entity, value)
    for match in RING_SIZE.finditer(text):
        yield Span(match.start("size"), match.end("size"), "ring_size", None)


def spans(text: str, nlu_file: Path = NLU_FILE) -> list[Span]:
    """The entities of ``text``, left to right, none overlapping (the longest wins)."""
    chosen: list[Span] = []
    for span in sorted(
        _candidates(text, patterns(nlu_file)), key=lambda s: (s.start, s.start - s.end)
    ):
        if chosen and span.start < chosen[-1].end:
            continue
        chosen.append(span)
    return chosen


def annotate(text: str, nlu_file: Path = NLU_FILE) -> str:
    """``text`` with its entities in Rasa's annotation: ``[bague](product_kind:ring)``."""
    parts = []
    position = 0
    for span in spans(text, nlu_file):
        written = text[span.start : span.end]
        value = span.value if span.value and span.value != written else None
        label = f"{span.entity}:{value}" if value else span.entity
        parts += [text[position : span.start], f"[{written}]({label})"]
        position = span.end
    parts.append(text[position:])
    return "".join(parts)
