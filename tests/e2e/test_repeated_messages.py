"""A message the desk sends twice (after a timeout or a crash) is read once by the real Rasa
server: the second copy gets the first answers, and no second turn is recorded or acted on."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from devtools.servers import Stack, new_sender
from tests.e2e.test_turn_recording import recorded

pytestmark = pytest.mark.e2e


def send(stack: Stack, sender: str, text: str, message_id: int | None) -> list[dict[str, Any]]:
    body: dict[str, Any] = {"sender": sender, "message": text}
    if message_id is not None:
        body["metadata"] = {"client": "pseudonym", "message_id": message_id}
    response = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, timeout=30)
    response.raise_for_status()
    return list(response.json())


def user_texts(stack: Stack, sender: str) -> list[str]:
    events = stack.tracker(sender)["events"]
    return [event["text"] for event in events if event["event"] == "user"]


def test_a_message_sent_again_gets_its_first_answers_and_is_read_once(stack: Stack) -> None:
    me = new_sender()
    greeting = send(stack, me, "bonjour", 101)
    first = send(stack, me, "vous acceptez quels moyens de paiement ?", 102)
    assert first and "paiement" in str(first).lower()

    again = send(stack, me, "vous acceptez quels moyens de paiement ?", 102)
    assert again == first
    assert send(stack, me, "bonjour", 101) == greeting  # an older one: its own answers
    assert user_texts(stack, me) == ["bonjour", "vous acceptez quels moyens de paiement ?"]
    assert len(recorded(stack, me)) == 2


def test_the_same_words_in_a_new_message_are_read_again(stack: Stack) -> None:
    me = new_sender()
    send(stack, me, "bonjour", 201)
    send(stack, me, "bonjour", 202)
    send(stack, me, "bonjour", None)  # no id (Rasa's own REST callers): read as it comes
    assert user_texts(stack, me) == ["bonjour", "bonjour", "bonjour"]
