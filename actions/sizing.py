"""Resize a ring, a bracelet or a watch strap: inside the return window or after-sales."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.common import Outcome, SafeAction, conversation_id
from actions.journey import outcome_of, unverified_outcome, verified_pair
from shop import assistant


class ActionResizeItem(SafeAction):
    def name(self) -> str:
        return "action_resize_item"

    def human_request_kind(self, tracker: Tracker) -> str | None:
        return "resizing"

    def act(self, tracker: Tracker, domain: dict[str, Any]) -> Outcome:
        pair = verified_pair(tracker)
        if pair is None:
            return unverified_outcome(tracker)
        answer = assistant.answer_resizing(
            assistant.context_from_env(),
            *pair,
            product_kind=tracker.get_slot("product_kind"),
            wanted_size=tracker.get_slot("ring_size"),
            conversation_id=conversation_id(tracker),
        )
        outcome = outcome_of(answer, tracker, "resize_item")
        # The next resizing question starts afresh (another item, another size).
        outcome.events += [SlotSet("product_kind", None), SlotSet("ring_size", None)]
        return outcome
