"""Canned answers for agents: a few built-in French replies plus the FAQ's answers.

The built-in replies are the ``canned`` group of the agents' catalogue (``shop/voice/agent.yml``).
The FAQ comes from the same ``LiveKnowledge`` the bot answers from (``knowledge/faq``): edits
reach agents without a restart, a broken file keeps the last good version, and placeholders
(``{phone}``) are filled from the active shop profile. A missing or broken folder at start only
leaves the built-in replies; it never breaks the console, and it is tried again later.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from shop.knowledge.placeholders import fill
from shop.knowledge.store import LiveKnowledge
from shop.policy.profile import ShopProfile
from shop.voice import agent_catalogue, say_to_agent

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CannedAnswer:
    id: str
    title: str
    text: str
    source: str  # "desk" or "faq"


def _built_in(answer_id: str) -> CannedAnswer:
    title = say_to_agent(f"canned.{answer_id}.title")
    return CannedAnswer(answer_id, title, say_to_agent(f"canned.{answer_id}.text"), "desk")


# The desk's own replies, in the agents' catalogue's order: adding one is an edit of agent.yml.
BUILT_IN = tuple(
    _built_in(answer_id)
    for answer_id in dict.fromkeys(
        key.split(".")[1] for key in agent_catalogue().texts if key.startswith("canned.")
    )
)


class CannedAnswers:
    def __init__(self, folder: Path, profile: ShopProfile) -> None:
        self._folder = folder
        self._profile = profile
        self._lock = threading.Lock()
        self._live: LiveKnowledge | None = None

    def all(self) -> tuple[CannedAnswer, ...]:
        live = self._knowledge()
        if live is None:
            return BUILT_IN
        faq = tuple(  # one version of the base for the whole list
            CannedAnswer(entry.id, entry.title, fill(entry.answer, self._profile), "faq")
            for entry in live.current()
        )
        return BUILT_IN + faq

    def _knowledge(self) -> LiveKnowledge | None:
        with self._lock:
            if self._live is None:
                try:
                    self._live = LiveKnowledge(self._folder, [self._profile])
                except Exception as error:  # noqa: BLE001 - a broken FAQ must not break the console
                    logger.warning("FAQ not loaded for canned answers: %s", type(error).__name__)
            return self._live
