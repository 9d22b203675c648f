"""Cancel and track an order."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.common import Outcome, SafeAction, conversation_id
from actions.journey import outcome_of, unverified_outcome, verified_pair
from shop import assistant


class ActionCancelOrder(SafeAction):
    def name(self) -> str:
        return "action_cancel_order"

    def act(self, tracker: Tracker, domain: dict[str, Any]) -> Outcome:
        pair = verified_pair(tracker)
        if pair is None:
            return unverified_outcome(tracker)
        answer = assistant.answer_cancellation(
            assistant.context_from_env(), *pair, conversation_id=conversation_id(tracker)
        )
        return outcome_of(answer, tracker, "cancel_order")


class ActionTrackOrder(SafeAction):
    def name(self) -> str:
        return "action_track_order"

    def act(self, tracker: Tracker, domain: dict[str, Any]) -> Outcome:
        pair = verified_pair(tracker)
        if pair is None:
            return unverified_outcome(tracker)
        answer = assistant.answer_tracking(
            assistant.context_from_env(), *pair, conversation_id=conversation_id(tracker)
        )
        return outcome_of(answer, tracker, "track_order")
