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
from shop.voice import labels, say

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


def test_the_fallback_menu_of_the_actions_matches_the_domains_utter_default() -> None:
    """actions/handoff.py builds the menu of utter_default again from the shoppers' catalogue
    (its text and one button per journey, in order): the two must agree."""
    default = _domain()["responses"]["utter_default"][0]
    domain_menu = [(b["title"], b["payload"]) for b in default["buttons"]]
    source = (ROOT / "actions" / "handoff.py").read_text(encoding="utf-8")
    assert 'say("not_understood.menu")' in source and 'labels("topic_button")' in source
    assert say("not_understood.menu") == default["text"]
    topics = [(title, f"/{intent}") for intent, title in labels("topic_button").items()]
    assert topics == domain_menu[:-1]  # the last, a person, is the assistant's


def test_the_ring_sizes_the_domain_asks_for_are_every_shops_range() -> None:
    """utter_ask_ring_size writes the range out until an action fills it from the profile."""
    text = _domain()["responses"]["utter_ask_ring_size"][0]["text"]
    asked = re.search(r"entre (\d+) et (\d+)", text)
    assert asked is not None
    for path in sorted((ROOT / "knowledge" / "shops").glob("*.yml")):
        rules = load_profile(path).resizing
        assert (rules.ring_size_min, rules.ring_size_max) == tuple(map(int, asked.groups())), path
