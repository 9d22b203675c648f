"""Read the FAQ folder into entries, keeping the line of every field for error messages.

The files are composed with ``yaml.compose`` rather than ``safe_load`` because the node tree
keeps each value's position: an editor told ``knowledge/faq/paiement.yml:42: entry
'paiement_3x': answer is empty`` fixes it in seconds. This module checks the *shape* of each
file (required fields, types, unknown keys); checks that need the whole base or the shop
profiles (duplicates, collisions, placeholders) live in ``validator``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Iterable

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from shop.knowledge.model import FaqEntry, KnowledgeBase, Source

ENTRY_KEYS = ("id", "title", "question", "answer", "examples", "tags", "source")
SOURCE_KEYS = ("document", "section")
TITLE_MAX = 60
ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
# Characters that Rasa's training-data format reads as entity annotations.
RASA_RESERVED = frozenset("[]{}")
_STR_TAG = "tag:yaml.org,2002:str"
# libyaml composes the same node tree, with the same lines, twenty times faster than PyYAML's
# pure-Python parser (the FAQ is read at every start, live reload and validation). A text PyYAML
# would refuse (a non-printable character) or libyaml cannot parse goes through PyYAML, so its
# error messages read as they always did.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE


@dataclass(frozen=True)
class KnowledgeError:
    """One problem in a knowledge file: where (file, 1-based line) and why."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class KnowledgeLoadError(Exception):
    """A folder that cannot become a knowledge base; ``errors`` lists every problem found."""

    def __init__(self, errors: Iterable[KnowledgeError]) -> None:
        self.errors = tuple(errors)
        lines = "\n".join(str(error) for error in self.errors)
        super().__init__(f"{len(self.errors)} error(s) in the knowledge files:\n{lines}")


@dataclass(frozen=True)
class LoadResult:
    """Entries that have a usable shape, and the problems of the ones (or files) that do not."""

    entries: tuple[FaqEntry, ...]
    errors: tuple[KnowledgeError, ...]
    files: tuple[str, ...]


def display_path(path: Path) -> str:
    """The path as editors see it: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def faq_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The YAML files of a folder, sorted so that loading order is stable."""
    base = Path(folder)
    return sorted(p for p in base.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())


def read_folder(folder: str | os.PathLike[str]) -> LoadResult:
    """Read every file of the folder, collecting entries and shape errors (never raising)."""
    base = Path(folder)
    if not base.is_dir():
        return LoadResult((), (KnowledgeError(display_path(base), 0, "folder not found"),), ())
    entries: list[FaqEntry] = []
    errors: list[KnowledgeError] = []
    files = faq_files(base)
    if not files:
        errors.append(KnowledgeError(display_path(base), 0, "no .yml file in the folder"))
    for path in files:
        reader = _FileReader(display_path(path))
        entries.extend(reader.read(path))
        errors.extend(reader.errors)
    return LoadResult(tuple(entries), tuple(errors), tuple(display_path(p) for p in files))


def load_knowledge(folder: str | os.PathLike[str]) -> KnowledgeBase:
    """The folder as a knowledge base, or ``KnowledgeLoadError`` if any file is malformed.

    Only the shape is checked here; use ``validator.load_valid`` before serving shoppers.
    """
    result = read_folder(folder)
    if result.errors:
        raise KnowledgeLoadError(result.errors)
    return KnowledgeBase.of(result.entries)


def _compose(text: str) -> Node | None:
    if _FAST_LOADER is not None and not _NON_PRINTABLE.search(text):
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


class _FileReader:
    """Turns one file's node tree into entries; every problem becomes a ``KnowledgeError``."""

    def __init__(self, shown: str) -> None:
        self.file = shown
        self.errors: list[KnowledgeError] = []

    def error(self, node: Node | int, reason: str) -> None:
        line = node if isinstance(node, int) else node.start_mark.line + 1
        self.errors.append(KnowledgeError(self.file, line, reason))

    def read(self, path: Path) -> list[FaqEntry]:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.error(0, f"cannot be read: {exc}")
            return []
        try:
            root = _compose(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 0
            problem = exc.problem or exc.context or "invalid YAML"
            self.error(line, f"YAML syntax error: {problem}")
            return []
        except yaml.YAMLError as exc:
            self.error(0, f"YAML syntax error: {exc}")
            return []
        if root is None:
            self.error(1, "the file is empty: it must be a list of entries")
            return []
        if not isinstance(root, SequenceNode):
            self.error(root, "the file must be a list of entries (each starting with '- id:')")
            return []
        if not root.value:
            self.error(root, "the file holds no entry")
            return []
        entries = []
        for position, node in enumerate(root.value, start=1):
            entry = self.entry(node, position)
            if entry is not None:
                entries.append(entry)
        return entries

    # ---- one entry
    def entry(self, node: Node, position: int) -> FaqEntry | None:
        if not isinstance(node, MappingNode):
            self.error(node, f"entry #{position} must be a mapping of fields (id, title, ...)")
            return None
        fields = self.fields(node, f"entry #{position}", ENTRY_KEYS)
        label = f"entry #{position}"
        entry_id = None
        if "id" in fields:
            entry_id = self.text(fields["id"], label, "id")
            if entry_id is not None:
                if ID_PATTERN.match(entry_id):
                    label = f"entry {entry_id!r}"
                else:
                    self.error(
                        fields["id"],
                        f"{label}: id must be snake_case (a-z, 0-9, _), got {entry_id!r}",
                    )
                    entry_id = None
        before = len(self.errors)
        for key in ENTRY_KEYS:
            if key not in fields:
                self.error(node, f"{label}: missing field '{key}'")
        title = self.text(fields.get("title"), label, "title")
        if title is not None and len(title) > TITLE_MAX:
            self.error(
                fields["title"], f"{label}: title is {len(title)} characters (max {TITLE_MAX})"
            )
        question = self.text(fields.get("question"), label, "question")
        if question is not None:
            self.phrasing(fields["question"], question, label, "question")
        answer = self.text(fields.get("answer"), label, "answer", allow_empty=True)
        examples = self.text_list(fields.get("examples"), label, "examples")
        examples_node = fields.get("examples")
        if examples is not None and isinstance(examples_node, SequenceNode):
            for example_node, example in zip(examples_node.value, examples, strict=True):
                self.phrasing(example_node, example, label, "example")
        tags = self.text_list(fields.get("tags"), label, "tags")
        if tags is not None and not tags:
            self.error(fields["tags"], f"{label}: tags must list at least one tag")
        source = self.source(fields.get("source"), label)
        if len(self.errors) > before or entry_id is None:
            return None
        assert title is not None and question is not None and answer is not None
        assert examples is not None and tags is not None and source is not None
        assert isinstance(examples_node, SequenceNode)
        return FaqEntry(
            id=entry_id,
            title=title,
            question=question,
            answer=answer,
            examples=tuple(examples),
            tags=tuple(tags),
            source=source,
            file=self.file,
            line=node.start_mark.line + 1,
            field_lines=MappingProxyType(
                {
                    key.value: key.start_mark.line + 1
                    for key, _ in node.value
                    if isinstance(key, ScalarNode) and key.value in fields
                }
            ),
            example_lines=tuple(item.start_mark.line + 1 for item in examples_node.value),
        )

    def fields(self, node: MappingNode, label: str, allowed: tuple[str, ...]) -> dict[str, Node]:
        """Key -> value node; flags unknown and repeated keys (YAML silently keeps the last)."""
        result: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str) or key not in allowed:
                expected = ", ".join(allowed)
                self.error(key_node, f"{label}: unknown field {key!r} (expected: {expected})")
                continue
            if key in result:
                self.error(key_node, f"{label}: field '{key}' appears twice")
                continue
            result[key] = value_node
        return result

    def text(
        self, node: Node | None, label: str, key: str, allow_empty: bool = False
    ) -> str | None:
        if node is None:
            return None
        if not isinstance(node, ScalarNode) or node.tag != _STR_TAG:
            shown = node.value if isinstance(node, ScalarNode) else type(node).__name__
            self.error(node, f"{label}: {key} must be text, got {shown!r} (quote it)")
            return None
        value = str(node.value).strip()
        if not value and not allow_empty:
            self.error(node, f"{label}: {key} is empty")
            return None
        return value

    def text_list(self, node: Node | None, label: str, key: str) -> list[str] | None:
        if node is None:
            return None
        if not isinstance(node, SequenceNode):
            self.error(node, f"{label}: {key} must be a list ('- ...' lines)")
            return None
        values = [self.text(item, label, f"{key}[{i + 1}]") for i, item in enumerate(node.value)]
        if any(value is None for value in values):
            return None
        return [value for value in values if value is not None]

    def phrasing(self, node: Node, text: str, label: str, kind: str) -> None:
        if "\n" in text:
            self.error(node, f"{label}: {kind} {text!r} must fit on one line")
        reserved = sorted(RASA_RESERVED.intersection(text))
        if reserved:
            shown = " ".join(reserved)
            self.error(node, f"{label}: {kind} {text!r} uses {shown}, reserved by Rasa")

    def source(self, node: Node | None, label: str) -> Source | None:
        if node is None:
            return None
        if not isinstance(node, MappingNode):
            self.error(node, f"{label}: source must be a mapping with document and section")
            return None
        fields = self.fields(node, f"{label}: source", SOURCE_KEYS)
        for key in SOURCE_KEYS:
            if key not in fields:
                self.error(node, f"{label}: missing field 'source.{key}'")
        document = self.text(fields.get("document"), label, "source.document")
        section = self.text(fields.get("section"), label, "source.section")
        if document is None or section is None:
            return None
        return Source(document=document, section=section)
