"""What every action shares: a time limit, error containment and privacy-safe logging.

rasa_sdk echoes the whole tracker (the shopper's messages and slots) in its HTTP 500 body when
an action raises, and Rasa waits 5 minutes for an action. So each action runs its domain call in
a worker thread under a short timeout, catches everything, logs only the action name and the
error class, and answers the shopper in French.
"""

from __future__ import annotations

import asyncio
import logging
import os
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from shop.assistant import Reply

logger = logging.getLogger(__name__)

ACTION_TIMEOUT_S = float(os.environ.get("ACTION_TIMEOUT_S", "8"))


@dataclass
class Outcome:
    """What an action sends back: the replies to utter and the events to apply."""

    replies: list[Reply] = field(default_factory=list)
    events: list[EventType] = field(default_factory=list)


def utter(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    buttons = [{"title": title, "payload": payload} for title, payload in reply.buttons]
    dispatcher.utter_message(text=reply.text, buttons=buttons or None)


class SafeAction(Action, ABC):
    """Base class: subclasses implement ``act`` (synchronous, may touch the database)."""

    @abstractmethod
    def act(self, tracker: Tracker, domain: dict[str, Any]) -> Outcome:
        """Do the work; runs in a worker thread under the time limit."""

    def on_failure(self, tracker: Tracker) -> list[EventType]:
        """Events to apply when the action failed (default: forget any pending question)."""
        return [SlotSet("pending_confirmation", None)]

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        loop = asyncio.get_running_loop()
        try:
            outcome = await asyncio.wait_for(
                loop.run_in_executor(None, self.act, tracker, domain), timeout=ACTION_TIMEOUT_S
            )
        except asyncio.TimeoutError:
            logger.error("action %s timed out after %.1f s", self.name(), ACTION_TIMEOUT_S)
            dispatcher.utter_message(response="utter_technical_problem")
            return self.on_failure(tracker)
        except Exception as error:  # noqa: BLE001 - nothing may reach rasa_sdk's 500 handler
            logger.error("action %s failed: %s", self.name(), type(error).__name__)
            dispatcher.utter_message(response="utter_technical_problem")
            return self.on_failure(tracker)
        for reply in outcome.replies:
            utter(dispatcher, reply)
        return outcome.events


def conversation_id(tracker: Tracker) -> str:
    return str(tracker.sender_id)
