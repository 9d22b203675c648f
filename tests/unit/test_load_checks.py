"""The load and fault runs' check of the bot's reads (``loadtest/checks.py``): a message read
again after its answer, or one the desk never sent, is reported; a message read without an
answer and read again once the action server is back is not."""

from __future__ import annotations

from loadtest.checks import reads_problems

SENT = {11, 12, 13}


def test_a_message_read_again_after_no_answer_is_fine() -> None:
    events = [("user", 11), ("bot", None), ("user", 12), ("user", 12), ("bot", None)]
    assert reads_problems(events, SENT) == []


def test_a_message_read_again_after_its_answer_is_reported() -> None:
    events = [("user", 11), ("bot", None), ("user", 12), ("bot", None), ("user", 12)]
    assert reads_problems(events, SENT) == ["the bot read message 12 again after answering it"]


def test_a_read_the_desk_never_sent_is_reported() -> None:
    events = [("user", None), ("bot", None), ("user", 99)]
    assert reads_problems(events, SENT) == [
        "the bot read a message the desk did not send: None",
        "the bot read a message the desk did not send: 99",
    ]
