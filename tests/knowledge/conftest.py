"""Fixtures for the knowledge tests: a writer of small FAQ folders and the two shop profiles."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from shop.policy.profile import SHOPS_DIR, ShopProfile, load_profile

SEED = "001_92e98ef0ecfea5a2.txt"


def entry_yaml(
    entry_id: str,
    examples: list[str] | None = None,
    answer: str = "Une réponse courte et aimable.",
    extra: str = "",
) -> str:
    """One valid entry as YAML text, with ``examples`` distinct from any other entry's."""
    phrasings = examples or [f"{entry_id} question numero {n} bien distincte" for n in range(10)]
    lines = "\n".join(f"    - {text}" for text in phrasings)
    return (
        f"- id: {entry_id}\n"
        f"  title: Titre {entry_id}\n"
        f"  question: Quelle est la question {entry_id} ?\n"
        f"  answer: {answer}\n"
        f"  examples:\n{lines}\n"
        f"  tags: [test]\n"
        f"  source:\n"
        f"    document: {SEED}\n"
        f"    section: Une section\n"
        f"{extra}"
    )


@pytest.fixture
def faq_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty FAQ folder; the test runs from its parent so messages read ``faq/a.yml:3``."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "faq"
    folder.mkdir()
    return folder


@pytest.fixture
def write(faq_dir: Path) -> Callable[[str, str], Path]:
    def write_file(name: str, text: str) -> Path:
        path = faq_dir / name
        path.write_text(text, encoding="utf-8")
        return path

    return write_file


@pytest.fixture(scope="session")
def profiles() -> list[ShopProfile]:
    return [load_profile(SHOPS_DIR / f"{name}.yml") for name in ("bijou_eclat", "maison_ocre")]
