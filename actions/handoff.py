"""A person takes over: on request, after repeated misunderstandings, or when tries run out."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.common import Outcome, SafeAction, conversation_id
from actions.journey import outcome_of, verified_pair
from shop import assistant

FALLBACKS_BEFORE_HUMAN = 2
UNDERSTOOD_TOPICS = (
    ("Suivre ma commande", "/track_order"),
    ("Annuler ma commande", "/cancel_order"),
    ("Retourner un article", "/return_item"),
    ("Mon code promo ne marche pas", "/promo_code_failing"),
    ("Colis non reçu", "/lost_parcel"),
    ("Mettre une bague à la taille", "/resize_item"),
    assistant.HUMAN_BUTTON,
)


def previous_user_intent(tracker: Tracker) -> tuple[str | None, float | None]:
    """The intent of the user message before the latest one (what the shopper wanted)."""
    seen_latest = False
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if not seen_latest:
            seen_latest = True
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        return intent.get("name"), intent.get("confidence")
    return None, None


def consecutive_fallbacks(tracker: Tracker) -> int:
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != "nlu_fallback":
            break
        count += 1
    return count


class ActionHumanHandoff(SafeAction):
    def name(self) -> str:
        return "action_human_handoff"

    def human_request_kind(self, tracker: Tracker) -> str | None:
        return "handoff"

    def act(self, tracker: Tracker, domain: dict[str, Any]) -> Outcome:
        intent, confidence = previous_user_intent(tracker)
        pair = verified_pair(tracker)
        facts = {
            "reason": "shopper_request",
            "previous_intent": intent,
            "previous_confidence": confidence,
            "verified": pair is not None,
            "identity_failures": tracker.get_slot("identity_failures"),
        }
        answer = assistant.open_handoff_ticket(
            assistant.context_from_env(),
            conversation_id(tracker),
            facts,
            *(pair or (None, None)),
        )
        return outcome_of(answer)


class ActionFallback(SafeAction):
    """Not understood: offer the main topics; the second time in a row, offer a person."""

    def name(self) -> str:
        return "action_fallback"

    def act(self, tracker: Tracker, domain: dict[str, Any]) -> Outcome:
        if consecutive_fallbacks(tracker) >= FALLBACKS_BEFORE_HUMAN:
            reply = assistant.Reply(
                "Je ne comprends toujours pas, désolé. Voulez-vous qu'un conseiller prenne le "
                "relais ? Vous pouvez aussi reformuler en quelques mots (par exemple « suivre "
                "ma commande »).",
                (assistant.HUMAN_BUTTON, ("Suivre ma commande", "/track_order")),
            )
        else:
            reply = assistant.Reply(
                "Je n'ai pas bien compris votre demande. Voici ce que je sais faire :",
                UNDERSTOOD_TOPICS,
            )
        return Outcome(replies=[reply], events=[SlotSet("pending_confirmation", None)])
