"""What every action shares: a time limit, error containment and privacy-safe logging.

rasa_sdk echoes the whole tracker (the shopper's messages and slots) in its HTTP 500 body when
an action raises, and Rasa waits 5 minutes for an action. So each action runs its domain call in
a worker thread under a short timeout, catches everything, logs only the action name and the
error class, and answers the shopper in French.

An answer that the shopper may rate (👍/👎 in the widget) is followed by a machine-readable
``{"feedback": {"topic": ...}}`` message (``Outcome.asking_rating``). It cannot travel inside
the answer itself: Rasa's REST channel (``CollectingOutputChannel.send_response``) turns one
utterance with text and ``custom`` into two messages, and a text with blank lines into several.
So the request comes as its own message right after the answer, and the desk attaches it to
the bot message just before it in the same turn (``desk.service``).
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from shop import assistant
from shop.assistant import Reply
from shop.settings import current_settings

logger = logging.getLogger(__name__)

RATING_REQUEST = "feedback"  # the key of the custom message that asks for a rating


@dataclass
class Outcome:
    """What an action sends back: the replies to utter and the events to apply."""

    replies: list[Reply] = field(default_factory=list)
    events: list[EventType] = field(default_factory=list)
    custom: list[dict[str, Any]] = field(default_factory=list)  # machine-readable messages

    def asking_rating(self, topic: str) -> Outcome:
        """The same outcome, whose last reply asks the shopper to rate it; ``topic`` is the
        intent or ``faq/<entry id>`` answered (what the rating is about)."""
        self.custom.append({RATING_REQUEST: {"topic": topic}})
        return self


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

    def human_request_kind(self, tracker: Tracker) -> str | None:
        """The ticket kind to keep on disk when this action fails where a person must act."""
        return None

    def _keep_request(self, tracker: Tracker) -> assistant.Reply | None:
        """The request kept on disk for a person, and what to tell the shopper (None: nothing
        kept)."""
        kind = self.human_request_kind(tracker)
        if kind is None:
            return None
        facts = {
            "action": self.name(),
            "order_number": tracker.get_slot("order_number"),
            "email": tracker.get_slot("order_email"),
            "verified": bool(tracker.get_slot("verified_order")),
        }
        try:
            return assistant.spool_request(kind, conversation_id(tracker), facts)
        except OSError as error:
            logger.error("action %s could not keep the request: %s", self.name(), error.errno)
            return None

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        loop = asyncio.get_running_loop()
        timeout_s = current_settings().action_timeout_s
        try:
            outcome = await asyncio.wait_for(
                loop.run_in_executor(None, self.act, tracker, domain), timeout=timeout_s
            )
        except asyncio.TimeoutError:
            logger.error("action %s timed out after %.1f s", self.name(), timeout_s)
            return self._failed(dispatcher, tracker)
        except Exception as error:  # noqa: BLE001 - nothing may reach rasa_sdk's 500 handler
            logger.error("action %s failed: %s", self.name(), type(error).__name__)
            return self._failed(dispatcher, tracker)
        for reply in outcome.replies:
            utter(dispatcher, reply)
        for payload in outcome.custom:
            dispatcher.utter_message(json_message=payload)
        await self._replay_kept_requests(loop)
        return outcome.events

    def _failed(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """One clear message: the request was kept, or a technical problem (never both)."""
        kept = self._keep_request(tracker)
        if kept is not None:
            utter(dispatcher, kept)
        else:
            dispatcher.utter_message(response="utter_technical_problem")
        return self.on_failure(tracker)

    async def _replay_kept_requests(self, loop: asyncio.AbstractEventLoop) -> None:
        """The store answers again: turn requests kept on disk into tickets (best effort)."""
        if not assistant.has_kept_requests():
            return
        try:
            await asyncio.wait_for(
                loop.run_in_executor(
                    None, assistant.replay_spooled_tickets, assistant.context_from_env()
                ),
                timeout=current_settings().action_timeout_s,
            )
        except Exception as error:  # noqa: BLE001 - they stay on disk for the next try
            logger.error("replaying kept requests failed: %s", type(error).__name__)


def replay_kept_requests_at_start() -> int:
    """Requests kept on disk by an earlier run become tickets before the first action (best
    effort: a store still down leaves them for the next action); returns how many."""
    if not assistant.has_kept_requests():
        return 0
    try:
        return len(assistant.replay_spooled_tickets(assistant.context_from_env()))
    except Exception as error:  # noqa: BLE001 - they stay on disk for the next try
        logger.error("replaying kept requests at start failed: %s", type(error).__name__)
        return 0


def conversation_id(tracker: Tracker) -> str:
    return str(tracker.sender_id)
