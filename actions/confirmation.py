"""A yes or a no answers the question the bot asked last (cancel now? ask the shop for the
return? open an inquiry?)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.common import Outcome, SafeAction, conversation_id
from actions.journey import outcome_of, unverified_outcome, verified_pair
from shop import assistant
from shop.kinds import TicketKind
from shop.voice import labels, say

ON_NO = labels("declined")


class ActionHandleConfirmation(SafeAction):
    def name(self) -> str:
        return "action_handle_confirmation"

    def human_request_kind(self, tracker: Tracker) -> TicketKind | None:
        said_yes = (tracker.latest_message.get("intent") or {}).get("name") == "affirm"
        pending = tracker.get_slot("pending_confirmation")
        return TicketKind.LOST_PARCEL if said_yes and pending == "lost_parcel" else None

    def act(self, tracker: Tracker, domain: dict[str, Any]) -> Outcome:
        pending = tracker.get_slot("pending_confirmation")
        said_yes = (tracker.latest_message.get("intent") or {}).get("name") == "affirm"
        if pending not in ON_NO:
            text = say(
                "confirmation.nothing_pending_yes"
                if said_yes
                else "confirmation.nothing_pending_no"
            )
            return outcome_of(assistant.Answer((assistant.Reply(text),)), tracker)
        # The yes or the no ends the journey that asked: its final answer asks for a rating.
        if not said_yes:
            return outcome_of(
                assistant.Answer((assistant.Reply(ON_NO[pending]),)), tracker, pending
            )
        pair = verified_pair(tracker)
        if pair is None:
            return unverified_outcome(tracker)
        ctx = assistant.context_from_env()
        if pending == "cancel_order":
            return outcome_of(assistant.confirm_cancellation(ctx, *pair), tracker, pending)
        if pending == "return_item":
            return outcome_of(
                assistant.request_return(ctx, *pair, conversation_id=conversation_id(tracker)),
                tracker,
                pending,
            )
        return outcome_of(
            assistant.open_lost_parcel_inquiry(
                ctx, *pair, conversation_id=conversation_id(tracker)
            ),
            tracker,
            pending,
        )
