"""A parcel marked delivered but not received, or lost: checklist, then a carrier inquiry."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.common import Outcome, SafeAction
from actions.journey import outcome_of, unverified_outcome, verified_pair
from shop import assistant


class ActionLostParcel(SafeAction):
    def name(self) -> str:
        return "action_lost_parcel"

    def act(self, tracker: Tracker, domain: dict[str, Any]) -> Outcome:
        pair = verified_pair(tracker)
        if pair is None:
            return unverified_outcome(tracker)
        return outcome_of(
            assistant.answer_lost_parcel(assistant.context_from_env(), *pair),
            tracker,
            "lost_parcel",
        )
