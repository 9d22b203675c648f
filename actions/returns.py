"""Return an item: eligibility per item, steps, who pays, refund delay."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.common import conversation_id
from actions.verified import VerifiedOrderAction
from shop import assistant


class ActionReturnItem(VerifiedOrderAction):
    action_name = "action_return_item"
    topic = "return_item"

    def answer(
        self, ctx: assistant.ShopContext, number: str, email: str, tracker: Tracker
    ) -> assistant.Answer:
        return assistant.answer_return(ctx, number, email, conversation_id=conversation_id(tracker))
