"""Return an item: eligibility per item, steps, who pays, refund delay."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.common import Outcome, SafeAction, conversation_id
from actions.journey import outcome_of, unverified_outcome, verified_pair
from shop import assistant


class ActionReturnItem(SafeAction):
    def name(self) -> str:
        return "action_return_item"

    def act(self, tracker: Tracker, domain: dict[str, Any]) -> Outcome:
        pair = verified_pair(tracker)
        if pair is None:
            return unverified_outcome(tracker)
        answer = assistant.answer_return(
            assistant.context_from_env(), *pair, conversation_id=conversation_id(tracker)
        )
        return outcome_of(answer, tracker, "return_item")
