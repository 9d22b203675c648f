"""Helpers the journey actions share: the verified identity pair, and answers turned into events.

When an answer hands the conversation to a person, the bot says so in a ``custom`` message
(``{"handoff": {...}}``, read by the desk to build the agent's handoff note) and pauses the
conversation: Rasa stops answering until the desk resumes it. A journey's final answer (no
question pending) asks the shopper to rate it, under the journey's intent, even when its
decision hands the case to a person (a resizing always does): the answer was still given.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, SlotSet

from actions.common import Outcome, conversation_id
from shop import assistant
from shop.kinds import HandoffReason
from shop.voice import say


def verified_pair(tracker: Tracker) -> tuple[str, str] | None:
    """The (order number, email) pair the identity check accepted, if any."""
    number = tracker.get_slot("order_number")
    email = tracker.get_slot("order_email")
    if number and email and tracker.get_slot("verified_order") == number:
        return str(number), str(email)
    return None


def unverified_outcome(tracker: Tracker) -> Outcome:
    """No verified pair: the conversation's tries are used up (a person takes over), guessing
    is locked across conversations (the lock opened its ticket: a person only on request), or
    the check could not run."""
    failures = int(tracker.get_slot("identity_failures") or 0)
    if tracker.get_slot("identity_locked") and failures < assistant.MAX_IDENTITY_FAILURES:
        return Outcome(
            replies=[assistant.Reply(assistant.LOCKED_FOR_SAFETY, (assistant.HUMAN_BUTTON,))],
            events=[SlotSet("pending_confirmation", None)],
        )
    if tracker.get_slot("identity_locked"):
        answer = assistant.open_handoff_ticket(
            assistant.context_from_env(),
            conversation_id(tracker),
            {"identity_failures": tracker.get_slot("identity_failures")},
            reason=HandoffReason.IDENTITY,
        )
        return outcome_of(answer, tracker)
    return Outcome(
        replies=[assistant.Reply(say("order_form.cannot_verify"), (assistant.HUMAN_BUTTON,))],
        events=[SlotSet("pending_confirmation", None)],
    )


def user_intent(tracker: Tracker, skip_latest: bool = False) -> tuple[str | None, float | None]:
    """The intent of the latest user message (or of the one before it)."""
    seen = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        seen += 1
        if skip_latest and seen == 1:
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        return intent.get("name"), intent.get("confidence")
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), intent.get("confidence")


def handoff_note(answer: assistant.Answer, tracker: Tracker) -> dict[str, Any]:
    """What the agent needs first: why, the ticket, what the shopper wanted, the decision."""
    intent, confidence = user_intent(
        tracker, skip_latest=answer.handoff_reason == HandoffReason.SHOPPER_REQUEST
    )
    return {
        "reason": answer.handoff_reason,
        "ticket": answer.ticket_number,
        "intent": intent,
        "confidence": confidence,
        "verified": verified_pair(tracker) is not None,
        "order_number": answer.order_number,
        "decision": answer.decision.as_dict() if answer.decision else None,
    }


def outcome_of(answer: assistant.Answer, tracker: Tracker, journey: str | None = None) -> Outcome:
    """The answer as replies and events; with ``journey`` (its intent), a final answer asks
    for a rating."""
    events: list[Any] = [SlotSet("pending_confirmation", answer.pending_confirmation)]
    outcome = Outcome(replies=list(answer.replies), events=events)
    if journey and answer.pending_confirmation is None and answer.replies:
        outcome.asking_rating(journey)  # first: the request follows the answer it is about
    if answer.handoff_reason:
        outcome.custom.append({"handoff": handoff_note(answer, tracker)})
        events.append(ConversationPaused())
    return outcome
