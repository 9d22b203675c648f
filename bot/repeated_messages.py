"""A message the desk sends twice is read once: the second time, Rasa gives the first answers.

The desk sends a shopper's message again when it cannot know whether the bot read it: Rasa's
answer timed out, or the desk died (or lost the database) before storing it. Each message
carries the desk's id in its metadata (``message_id``); if the conversation's current session
already holds a user event with that id and bot answers after it, those answers are returned
again and nothing else happens (no second NLU, no second action, no second ticket). A message
that got no answer at all (its action failed) is read again.

The check runs inside Rasa's conversation lock (``MessageProcessor.handle_message`` is called
under it), so two copies of one message in flight on several Rasa servers are still read once.
A turn also runs to its end when its caller hangs up: Sanic cancels a request's task when its
connection closes (the desk's time limit, nginx passing the desk's hang-up on), and a turn cut
there had run its action (a ticket opened) without saving its events, so the copy sent again
was read afresh and opened a second ticket (seen at 500 conversations under overload).
Installed by ``scripts/rasa_run.py``, the command every Rasa server is started with.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered, Event, UserUttered

from bot.tracker_store import one_read_a_turn

logger = logging.getLogger(__name__)

MESSAGE_ID = "message_id"  # the desk's id of the shopper's message, in the metadata
ANSWER_KEYS = ("buttons", "image", "attachment", "custom", "elements", "quick_replies")


def message_id(metadata: Any) -> Any:
    return metadata.get(MESSAGE_ID) if isinstance(metadata, dict) else None


def answers_already_given(
    events: list[Event], sender_id: str, key: Any
) -> list[dict[str, Any]] | None:
    """The bot's answers to the user event carrying ``key``, as the REST channel returns them;
    None when that message was never read or got no answer. A message read without an answer
    (its action failed) and read again counts the read that was answered."""
    given: list[dict[str, Any]] | None = None
    answers: list[dict[str, Any]] | None = None  # those of the read being walked, if ours
    for event in events:
        if isinstance(event, UserUttered):
            given = answers or given
            answers = [] if message_id(event.metadata) == key else None
        elif answers is not None and isinstance(event, BotUttered):
            answer: dict[str, Any] = {"recipient_id": sender_id}
            if event.text:
                answer["text"] = event.text
            for name in ANSWER_KEYS:
                value = (event.data or {}).get(name)
                if value:
                    answer[name] = value
            answers.append(answer)
    return answers or given


def install() -> None:
    """Wrap ``MessageProcessor.handle_message`` and ``Agent.handle_message`` (once)."""
    _turns_run_to_their_end()
    original = MessageProcessor.handle_message
    if getattr(original, "reads_repeats_once", False):
        return

    async def handle_message(
        self: MessageProcessor, message: UserMessage
    ) -> list[dict[str, Any]] | None:
        key = message_id(message.metadata)
        channel = message.output_channel
        with one_read_a_turn():  # the check's read is Rasa's read of the turn too
            if key is not None and isinstance(channel, CollectingOutputChannel):
                tracker = await self.tracker_store.retrieve(message.sender_id)
                if tracker is not None:
                    given = answers_already_given(list(tracker.events), message.sender_id, key)
                    if given is not None:
                        channel.messages.extend(given)
                        return channel.messages
            return await original(self, message)

    handle_message.reads_repeats_once = True  # type: ignore[attr-defined]
    MessageProcessor.handle_message = handle_message


def _turns_run_to_their_end() -> None:
    """The whole turn, lock included, in a task of its own that the request's cancellation
    does not reach: the lock is held until the turn's events are saved. A turn left running
    is kept referenced until it ends, and its failure logged (nobody else sees it)."""
    original = Agent.handle_message
    if getattr(original, "runs_to_its_end", False):
        return

    async def handle_message(self: Agent, message: UserMessage) -> Any:
        turn = asyncio.ensure_future(original(self, message))
        try:
            return await asyncio.shield(turn)
        except asyncio.CancelledError:
            _LEFT_RUNNING.add(turn)
            turn.add_done_callback(_ended)
            raise

    handle_message.runs_to_its_end = True  # type: ignore[attr-defined]
    Agent.handle_message = handle_message


_LEFT_RUNNING: set[asyncio.Future[Any]] = set()  # turns whose caller hung up


def _ended(turn: asyncio.Future[Any]) -> None:
    _LEFT_RUNNING.discard(turn)
    if not turn.cancelled() and turn.exception() is not None:
        logger.error("a turn whose caller hung up failed", exc_info=turn.exception())
