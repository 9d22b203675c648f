"""A parcel marked delivered but not received, or lost: checklist, then a carrier inquiry."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.verified import VerifiedOrderAction
from shop import assistant


class ActionLostParcel(VerifiedOrderAction):
    action_name = "action_lost_parcel"
    topic = "lost_parcel"

    def answer(
        self, ctx: assistant.ShopContext, number: str, email: str, tracker: Tracker
    ) -> assistant.Answer:
        return assistant.answer_lost_parcel(ctx, number, email)
