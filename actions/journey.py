"""Helpers the journey actions share: the verified identity pair and turning answers into events."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.common import Outcome
from shop import assistant


def verified_pair(tracker: Tracker) -> tuple[str, str] | None:
    """The (order number, email) pair the identity check accepted, if any."""
    number = tracker.get_slot("order_number")
    email = tracker.get_slot("order_email")
    if number and email and tracker.get_slot("verified_order") == number:
        return str(number), str(email)
    return None


def unverified_outcome(tracker: Tracker) -> Outcome:
    """No verified pair: either the tries are used up, or the check could not run."""
    if tracker.get_slot("identity_locked"):
        return outcome_of(assistant.locked_answer())
    return Outcome(
        replies=[
            assistant.Reply(
                "Je n'ai pas pu vérifier votre commande pour le moment. Réessayez dans quelques "
                "minutes ou demandez à parler à un conseiller.",
                (assistant.HUMAN_BUTTON,),
            )
        ],
        events=[SlotSet("pending_confirmation", None)],
    )


def outcome_of(answer: assistant.Answer) -> Outcome:
    return Outcome(
        replies=list(answer.replies),
        events=[SlotSet("pending_confirmation", answer.pending_confirmation)],
    )
