"""The French voice of the product: what shoppers read and what agents read, one catalogue each.

``say(key, **values)`` gives a shopper's text (``shopper.yml``), ``say_to_agent`` an agent's
(``agent.yml``); ``labels``/``agent_labels`` give a group of plain labels whole. Numbers, dates
and lists are formatted by ``shop.voice.french`` before they fill a text. Sentences the policy
renderer composes (``shop.policy.answers``) take their fixed phrases from here too, so a
wording is changed in one place and a test checks every key is used and defined.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from shop.voice.catalogue import Catalogue, VoiceError, fields_of

HERE = Path(__file__).parent
SHOPPER_FILE = HERE / "shopper.yml"
AGENT_FILE = HERE / "agent.yml"

__all__ = [
    "Catalogue",
    "VoiceError",
    "agent_catalogue",
    "agent_labels",
    "fields_of",
    "labels",
    "say",
    "say_to_agent",
    "shopper_catalogue",
]


@functools.cache
def shopper_catalogue() -> Catalogue:
    return Catalogue.load(SHOPPER_FILE)


@functools.cache
def agent_catalogue() -> Catalogue:
    return Catalogue.load(AGENT_FILE)


def say(key: str, **values: Any) -> str:
    """A shopper's text, filled; ``VoiceError`` for an unknown key or a missing value."""
    return shopper_catalogue().say(key, **values)


def labels(group: str) -> dict[str, str]:
    """A group of shopper-facing labels (``status``, ``kind``...), by code."""
    return shopper_catalogue().table(group)


def say_to_agent(key: str, **values: Any) -> str:
    """An agent's text, filled; ``VoiceError`` for an unknown key or a missing value."""
    return agent_catalogue().say(key, **values)


def agent_labels(group: str) -> dict[str, str]:
    """A group of agent-facing labels (``handoff_reason``, ``priority``...), by code."""
    return agent_catalogue().table(group)
