"""Back to the journey after a digression: the shopper asked a FAQ question while a form was
waiting for an answer; once it is answered, a short reminder names the journey, and the form
asks its question again (bot/data/form_rules.yml)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.common import Outcome, SafeAction
from shop import assistant

REMINDERS = {
    "cancel_form": "Revenons à votre demande d'annulation.",
    "track_form": "Revenons au suivi de votre commande.",
    "return_form": "Revenons à votre demande de retour.",
    "lost_parcel_form": "Revenons à votre colis non reçu.",
    "resize_form": "Revenons à la mise à taille de votre bijou.",
    "promo_form": "Revenons à votre code promo.",
}


class ActionResumeJourney(SafeAction):
    def name(self) -> str:
        return "action_resume_journey"

    def act(self, tracker: Tracker, domain: dict[str, Any]) -> Outcome:
        reminder = REMINDERS.get(str((tracker.active_loop or {}).get("name")))
        return Outcome(replies=[assistant.Reply(reminder)] if reminder else [])
