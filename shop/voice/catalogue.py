"""A keyed catalogue of French texts, read from one YAML file, that fails loudly.

A text is reached by its dotted key (``cancellation.already_shipped``) and filled with named
values (``{order_number}``), already formatted by ``shop.voice.french``. An unknown key or a
missing value raises ``VoiceError`` instead of sending a shopper « {order_number} » or nothing.
Groups of plain labels (order statuses, handoff reasons...) are read whole with ``table``.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

_FORMATTER = string.Formatter()


class VoiceError(LookupError):
    """A key the catalogue does not define, or a value its text needs and did not get."""


def fields_of(text: str) -> frozenset[str]:
    """The names a text waits for: ``{order_number}`` → ``order_number``."""
    return frozenset(name for _, name, _, _ in _FORMATTER.parse(text) if name is not None)


def _flatten(tree: Mapping[Any, Any], prefix: str, where: Path) -> dict[str, str]:
    texts: dict[str, str] = {}
    for name, value in tree.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            texts.update(_flatten(value, f"{key}.", where))
        elif isinstance(value, str) and value.strip():
            texts[key] = value
        else:
            raise VoiceError(f"{where}: {key}: a text must be a non-empty string")
    return texts


class Catalogue:
    """The texts of one audience (shoppers or agents), by dotted key."""

    def __init__(self, texts: Mapping[str, str], source: str) -> None:
        self.texts = dict(texts)
        self.source = source

    @classmethod
    def load(cls, path: Path) -> Catalogue:
        tree = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(tree, Mapping):
            raise VoiceError(f"{path}: a catalogue is a mapping of keys to texts")
        return cls(_flatten(tree, "", path), path.name)

    def text(self, key: str) -> str:
        """The raw text of a key, placeholders included."""
        try:
            return self.texts[key]
        except KeyError:
            raise VoiceError(f"{self.source}: no text for key {key!r}") from None

    def say(self, key: str, **values: Any) -> str:
        """The text of ``key`` with its ``{name}`` placeholders filled from ``values``."""
        text = self.text(key)
        missing = fields_of(text) - values.keys()
        if missing:
            raise VoiceError(f"{self.source}: {key!r} needs {', '.join(sorted(missing))}")
        return text.format(**values)

    def table(self, group: str) -> dict[str, str]:
        """Every label directly under ``group`` (``status`` → {"shipped": "expédiée", ...})."""
        prefix = f"{group}."
        labels = {
            key.removeprefix(prefix): text
            for key, text in self.texts.items()
            if key.startswith(prefix) and "." not in key.removeprefix(prefix)
        }
        if not labels:
            raise VoiceError(f"{self.source}: no group {group!r}")
        return labels
