"""Answer the shop's FAQ: the model picks the entry, the text comes live from knowledge/faq.

The model's FAQ selector (bot/faq_selector.py) ranks the entries; the answer shown is the entry's
current text, filled for the active shop profile, so editing an answer needs no retraining
(``LiveKnowledge`` reloads changed files within seconds and keeps the last good version).
When the two best entries are close, the shopper chooses among their titles. An entry's answer
asks the shopper to rate it (topic ``faq/<entry id>``); the question « Vouliez-vous dire… »
and the invitations to rephrase do not.
"""

from __future__ import annotations

import functools
import json
import logging
from typing import Any

from rasa_sdk import Tracker

from actions.common import Outcome, SafeAction
from shop import assistant
from shop.knowledge.store import LiveKnowledge
from shop.settings import current_settings
from shop.voice import say

logger = logging.getLogger(__name__)

CLOSE_MARGIN = 0.25  # top-1 minus top-2 confidence below which we ask "Vouliez-vous dire…"
MIN_CONFIDENCE = 0.35  # below this the entry is a guess: offer the candidates instead
# Below this no entry resembles the question (recipes, trivia the model took for a FAQ question):
# offer the topics and a person rather than three unrelated titles. The selector's top entry is
# right 98 % of the time above 0.7, 79 % at 0.5-0.7, 60 % at 0.35-0.5 and 40 % below
# (held-out FAQ phrasings; scripts/evaluate_nlu.py prints these bands).
NO_MATCH_CONFIDENCE = 0.15
OTHER = "other"
FALLBACK_TEXT = say("not_understood.no_faq_answer")
NO_MATCH_TEXT = say("not_understood.no_faq_match")


def knowledge_folder() -> str:
    return str(current_settings().knowledge_dir)


@functools.lru_cache(maxsize=1)
def knowledge() -> LiveKnowledge:
    return LiveKnowledge(knowledge_folder(), [assistant.context_from_env().profile])


def warm_up() -> None:
    """Load and check the FAQ when the action server starts (``actions.server``) rather than
    in a shopper's first turn: validating ~2 400 phrasings takes about 2 s."""
    try:
        knowledge()
    except Exception:  # a broken folder: the first FAQ question answers with the fallback
        logger.exception("the FAQ in %s could not be loaded at start", knowledge_folder())


def choose_payload(entry_id: str) -> str:
    return "/choose_faq" + json.dumps({"faq_id": entry_id})


def ranking(parse: dict[str, Any]) -> list[tuple[str, float]]:
    """FAQ entries ranked by the selector in one parse result, best first (empty if none)."""
    selector = (parse.get("response_selector") or {}).get("faq") or {}
    ranked = [
        (str(item.get("intent_response_key", "")).split("/", 1)[-1], float(item["confidence"]))
        for item in selector.get("ranking") or []
        if item.get("intent_response_key")
    ]
    response = selector.get("response") or {}
    if not ranked and response.get("intent_response_key"):
        key = str(response["intent_response_key"]).split("/", 1)[-1]
        ranked = [(key, float(response.get("confidence") or 0.0))]
    return ranked


def candidates(tracker: Tracker) -> list[tuple[str, float]]:
    """FAQ entries ranked for the latest message, best first."""
    return ranking(tracker.latest_message)


def answered(entry_id: str, text: str) -> Outcome:
    """An entry's answer, asking the shopper to rate it."""
    return Outcome(replies=[assistant.Reply(text)]).asking_rating(f"faq/{entry_id}")


class ActionAnswerFaq(SafeAction):
    def name(self) -> str:
        return "action_answer_faq"

    def act(self, tracker: Tracker, domain: dict[str, Any]) -> Outcome:
        profile = assistant.context_from_env().profile
        live = knowledge()
        chosen = next(tracker.get_latest_entity_values("faq_id"), None)
        if chosen == OTHER:
            return Outcome(
                replies=[assistant.Reply(say("faq_choice.rephrase"), (assistant.HUMAN_BUTTON,))]
            )
        if chosen:
            return answered(str(chosen), live.answer(str(chosen), profile))
        ranked = [(entry, score) for entry, score in candidates(tracker) if entry in live.current()]
        if not ranked:
            return Outcome(replies=[assistant.Reply(FALLBACK_TEXT, (assistant.HUMAN_BUTTON,))])
        best, best_score = ranked[0]
        if best_score < NO_MATCH_CONFIDENCE:
            return Outcome(replies=[assistant.Reply(NO_MATCH_TEXT, (assistant.HUMAN_BUTTON,))])
        second_score = ranked[1][1] if len(ranked) > 1 else 0.0
        if best_score >= MIN_CONFIDENCE and best_score - second_score >= CLOSE_MARGIN:
            return answered(best, live.answer(best, profile))
        kb = live.current()
        buttons = tuple((kb.entry(entry).title, choose_payload(entry)) for entry, _ in ranked[:3])
        return Outcome(
            replies=[
                assistant.Reply(
                    say("faq_choice.did_you_mean"),
                    (*buttons, (say("faq_choice.something_else"), choose_payload(OTHER))),
                )
            ]
        )
