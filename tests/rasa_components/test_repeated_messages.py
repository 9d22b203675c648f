"""Which answers a repeated message gets back (``bot/repeated_messages.py``)."""

from __future__ import annotations

from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from bot.repeated_messages import answers_already_given


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
