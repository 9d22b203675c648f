"""Which answers a repeated message gets back (``bot/repeated_messages.py``)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from bot import repeated_messages
from bot.repeated_messages import answers_already_given
from tests.support.threads import in_own_thread


def user(text: str, message_id: int | None) -> UserUttered:
    metadata = {"client": "x", "message_id": message_id} if message_id is not None else {}
    return UserUttered(text, metadata=metadata)


EVENTS = [
    user("bonjour", 1),
    ActionExecuted("utter_greet"),
    BotUttered("Bonjour !", {"buttons": [{"title": "Suivre", "payload": "/track_order"}]}),
    user("je veux parler à quelqu'un", 2),
    ActionExecuted("action_human_handoff"),
    SlotSet("handoff", True),
    BotUttered("Je vous passe un conseiller.", {}),
    BotUttered(None, {"custom": {"handoff": {"reason": "shopper_request"}}}),
    user("allo ?", 3),  # its action failed: no answer
    ActionExecuted("action_listen"),
]


def test_the_answers_of_a_read_message_come_back_as_the_rest_channel_gives_them() -> None:
    assert answers_already_given(EVENTS, "c1", 1) == [
        {
            "recipient_id": "c1",
            "text": "Bonjour !",
            "buttons": [{"title": "Suivre", "payload": "/track_order"}],
        }
    ]
    assert answers_already_given(EVENTS, "c1", 2) == [
        {"recipient_id": "c1", "text": "Je vous passe un conseiller."},
        {"recipient_id": "c1", "custom": {"handoff": {"reason": "shopper_request"}}},
    ]


def test_a_message_never_read_or_never_answered_is_read_again() -> None:
    assert answers_already_given(EVENTS, "c1", 4) is None  # never read
    assert answers_already_given(EVENTS, "c1", 3) is None  # read, answered nothing
    assert answers_already_given([user("bonjour", None)], "c1", 1) is None


def test_a_message_answered_on_its_second_read_is_never_read_a_third_time() -> None:
    events = [
        *EVENTS,
        user("allo ?", 3),  # read again once the action server was back: answered
        ActionExecuted("utter_default"),
        BotUttered("Je suis là.", {}),
        user("merci", 5),
        ActionExecuted("utter_welcome"),
        BotUttered("Avec plaisir.", {}),
    ]
    assert answers_already_given(events, "c1", 3) == [{"recipient_id": "c1", "text": "Je suis là."}]
    assert answers_already_given(events, "c1", 5) == [
        {"recipient_id": "c1", "text": "Avec plaisir."}
    ]


class SlowTurns:
    """Stands for Rasa's message processor: each turn waits for ``finish`` (an action in
    flight), and says when it starts and ends."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.started = asyncio.Event()
        self.finish = asyncio.Event()

    async def handle_message(self, message: UserMessage) -> list[dict[str, Any]]:
        self.log.append(f"start {message.text}")
        self.started.set()
        await self.finish.wait()
        self.log.append(f"end {message.text}")
        if message.text == "panne":
            raise RuntimeError("the tracker store is down")
        return []


def test_a_turn_whose_caller_hangs_up_runs_to_its_end_before_the_next_one() -> None:
    """Sanic cancels a request's task when the desk hangs up (its time limit): the turn, its
    action and the save of its events go on, under the conversation's lock, so the copy the
    desk sends again finds them (and is answered with the first answers)."""
    repeated_messages.install()

    async def scenario() -> list[str]:
        agent = Agent(lock_store=InMemoryLockStore())
        turns = SlowTurns()
        agent.processor = turns  # type: ignore[assignment]
        first = asyncio.create_task(agent.handle_message(UserMessage("conseiller", None, "c1")))
        await turns.started.wait()
        first.cancel()  # the desk's connection closed
        again = asyncio.create_task(agent.handle_message(UserMessage("conseiller", None, "c1")))
        await asyncio.sleep(0.3)
        turns.finish.set()
        await again
        return turns.log

    assert in_own_thread(asyncio.run, scenario()) == [
        "start conseiller",
        "end conseiller",
        "start conseiller",
        "end conseiller",
    ]


def test_a_turn_left_running_that_fails_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    """Nobody awaits a turn whose caller hung up: its failure is logged, not lost."""
    repeated_messages.install()

    async def scenario() -> None:
        agent = Agent(lock_store=InMemoryLockStore())
        turns = SlowTurns()
        agent.processor = turns  # type: ignore[assignment]
        hung_up = asyncio.create_task(agent.handle_message(UserMessage("panne", None, "c2")))
        await turns.started.wait()
        hung_up.cancel()
        turns.finish.set()
        await asyncio.sleep(0.3)

    with caplog.at_level(logging.ERROR, logger="bot.repeated_messages"):
        in_own_thread(asyncio.run, scenario())
    assert "a turn whose caller hung up failed" in caplog.text
    assert "the tracker store is down" in caplog.text
