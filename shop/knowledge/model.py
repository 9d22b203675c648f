"""Immutable values of the knowledge base: an FAQ entry, its source, the whole base.

Frozen so that a loaded version can be shared between threads and swapped in one assignment by
the live store: nobody can half-edit the version a shopper is being answered from. Each entry
keeps the file and lines it came from, so every later check can point the editor to the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterator, Mapping

# The public source documents (``/work/shared/seeds``) every answer must rest on, with what they
# are. An entry's ``source.document`` must be one of these names.
SEED_DOCUMENTS: Mapping[str, str] = MappingProxyType(
    {
        "000_334ed60caf87ff5e.txt": "Ocarat (bijouterie en ligne, Paris) : centre d'aide",
        "001_92e98ef0ecfea5a2.txt": "Bijourama (bijouterie en ligne) : FAQ par thème",
        "002_3abed8f074c75488.txt": "Topaz.pro (outillage) : FAQ",
        "003_3f3f1cbdc1db0530.txt": "Boutique de cartouches d'encre : questions / réponses",
        "004_f4cc40911053148e.txt": "Heratis.fr (bijouterie) : conditions générales de vente",
    }
)


@dataclass(frozen=True)
class Source:
    """Where an answer's facts come from: a seed file and the heading (or topic) inside it."""

    document: str
    section: str


@dataclass(frozen=True)
class FaqEntry:
    """One question the assistant answers from the knowledge base.

    ``answer`` may hold placeholders (``{phone}``) filled from the shop profile at answer time.
    ``question`` and ``examples`` are the phrasings the NLU model is trained on; ``title`` is
    the short label of a "did you mean" button.
    """

    id: str
    title: str
    question: str
    answer: str
    examples: tuple[str, ...]
    tags: tuple[str, ...]
    source: Source
    file: str = ""
    line: int = 0
    field_lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    example_lines: tuple[int, ...] = ()

    @property
    def phrasings(self) -> tuple[str, ...]:
        """Everything a shopper may type for this entry: the canonical question, then examples."""
        return (self.question, *self.examples)

    def line_of(self, key: str) -> int:
        """The line of one field, or of the entry when the field is missing."""
        return self.field_lines.get(key, self.line)


@dataclass(frozen=True)
class KnowledgeBase:
    """A complete, validated version of the FAQ: entries by id, in file order."""

    entries: Mapping[str, FaqEntry]

    @classmethod
    def of(cls, entries: tuple[FaqEntry, ...] | list[FaqEntry]) -> KnowledgeBase:
        return cls(MappingProxyType({entry.id: entry for entry in entries}))

    def entry(self, entry_id: str) -> FaqEntry:
        """The entry with this id; ``KeyError`` names the id when there is none."""
        try:
            return self.entries[entry_id]
        except KeyError:
            raise KeyError(f"no FAQ entry {entry_id!r}") from None

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self.entries

    def __iter__(self) -> Iterator[FaqEntry]:
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.entries)
