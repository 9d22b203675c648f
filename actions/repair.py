"""Back to the journey after a digression: the shopper asked a FAQ question while a form was
waiting for an answer; once it is answered, a short reminder names the journey, and the form
asks its question again (bot/data/form_rules.yml)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.common import Outcome, SafeAction
from shop import assistant
from shop.voice import labels

REMINDERS = labels("resume_form")


class ActionResumeJourney(SafeAction):
    def name(self) -> str:
        return "action_resume_journey"

    def act(self, tracker: Tracker, domain: dict[str, Any]) -> Outcome:
        reminder = REMINDERS.get(str((tracker.active_loop or {}).get("name")))
        return Outcome(replies=[assistant.Reply(reminder)] if reminder else [])
