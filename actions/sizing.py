"""Resize a ring, a bracelet or a watch strap: inside the return window or after-sales."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.common import conversation_id
from actions.verified import VerifiedOrderAction
from shop import assistant
from shop.kinds import TicketKind


class ActionResizeItem(VerifiedOrderAction):
    action_name = "action_resize_item"
    topic = "resize_item"
    # The next resizing question starts afresh (another item, another size).
    forgotten_after_answer = ("product_kind", "ring_size")

    def human_request_kind(self, tracker: Tracker) -> TicketKind | None:
        return TicketKind.RESIZING

    def answer(
        self, ctx: assistant.ShopContext, number: str, email: str, tracker: Tracker
    ) -> assistant.Answer:
        return assistant.answer_resizing(
            ctx,
            number,
            email,
            product_kind=tracker.get_slot("product_kind"),
            wanted_size=tracker.get_slot("ring_size"),
            conversation_id=conversation_id(tracker),
        )
