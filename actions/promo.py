"""A promo code that fails: the exact reason, and the real code when it is a typo."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.common import Outcome, SafeAction
from actions.journey import outcome_of
from shop import assistant


class ActionPromoCode(SafeAction):
    def name(self) -> str:
        return "action_promo_code"

    def act(self, tracker: Tracker, domain: dict[str, Any]) -> Outcome:
        answer = assistant.answer_promo_code(
            assistant.context_from_env(), str(tracker.get_slot("promo_code") or "")
        )
        outcome = outcome_of(answer, tracker, "promo_code_failing")
        outcome.events.append(SlotSet("promo_code", None))
        return outcome
