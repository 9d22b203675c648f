"""Cancel and track an order."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.common import conversation_id
from actions.verified import VerifiedOrderAction
from shop import assistant


class ActionCancelOrder(VerifiedOrderAction):
    action_name = "action_cancel_order"
    topic = "cancel_order"

    def answer(
        self, ctx: assistant.ShopContext, number: str, email: str, tracker: Tracker
    ) -> assistant.Answer:
        return assistant.answer_cancellation(
            ctx, number, email, conversation_id=conversation_id(tracker)
        )


class ActionTrackOrder(VerifiedOrderAction):
    action_name = "action_track_order"
    topic = "track_order"

    def answer(
        self, ctx: assistant.ShopContext, number: str, email: str, tracker: Tracker
    ) -> assistant.Answer:
        return assistant.answer_tracking(
            ctx, number, email, conversation_id=conversation_id(tracker)
        )
