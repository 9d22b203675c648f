"""The Rasa responses (domain.yml) are the third catalogue: used by name, never copied.

The actions send a response by name (``utter_message(response="utter_…")``), so every name
they send must exist; the texts that still have a copy or a number of their own elsewhere are
held equal here until they are read from one place.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import yaml

from shop.policy.profile import load_profile

ROOT = Path(__file__).resolve().parents[2]


def _domain() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def _responses_named_in_code() -> set[tuple[str, str]]:
    named = set()
    for folder in ("actions", "shop", "desk", "bot"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.keyword) and node.arg == "response":
                    value = node.value
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        named.add((str(path.relative_to(ROOT)), value.value))
    return named


def test_every_response_the_code_sends_by_name_is_in_the_domain() -> None:
    responses = set(_domain()["responses"])
    named = _responses_named_in_code()
    assert named, "the actions send at least utter_technical_problem by name"
    assert not {(where, name) for where, name in named if name not in responses}


def _module_constants(path: Path) -> dict[str, Any]:
    """The module-level constants of a file that are plain literals (tuples of strings...)."""
    found: dict[str, Any] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                try:
                    found[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    continue
    return found


def test_the_fallback_menu_copied_in_the_actions_matches_the_domains_utter_default() -> None:
    """actions/handoff.py still writes the menu of utter_default out: the two must agree."""
    default = _domain()["responses"]["utter_default"][0]
    domain_menu = [(b["title"], b["payload"]) for b in default["buttons"]]
    constants = _module_constants(ROOT / "actions" / "handoff.py")
    if "NOT_UNDERSTOOD" in constants:
        assert constants["NOT_UNDERSTOOD"] == default["text"]
    if "UNDERSTOOD_TOPICS" in (ROOT / "actions" / "handoff.py").read_text(encoding="utf-8"):
        source = (ROOT / "actions" / "handoff.py").read_text(encoding="utf-8")
        for title, payload in domain_menu[:-1]:  # the last, a person, is the assistant's
            assert f'("{title}", "{payload}")' in source, title


def test_the_ring_sizes_the_domain_asks_for_are_every_shops_range() -> None:
    """utter_ask_ring_size writes the range out until an action fills it from the profile."""
    text = _domain()["responses"]["utter_ask_ring_size"][0]["text"]
    asked = re.search(r"entre (\d+) et (\d+)", text)
    assert asked is not None
    for path in sorted((ROOT / "knowledge" / "shops").glob("*.yml")):
        rules = load_profile(path).resizing
        assert (rules.ring_size_min, rules.ring_size_max) == tuple(map(int, asked.groups())), path
