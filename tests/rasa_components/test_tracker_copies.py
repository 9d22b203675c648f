"""A tracker copied from its state is the tracker Rasa's replaying copy makes, after every event
of every training conversation and of conversations where Rasa undoes events; and it is a copy
of its own."""

from __future__ import annotations

from typing import Any

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, Event, LoopInterrupted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot import tracker_copies
from tests.rasa_components.test_prediction_states import (
    assert_installed_once,
    listen,
    said,
    undone_and_restarted,
)

RASAS_OWN = DialogueStateTracker.copy


def state_of(tracker: DialogueStateTracker) -> dict[str, Any]:
    """Everything of a tracker a copy must give, events by identity."""
    return {
        "current": tracker.current_state(EventVerbosity.ALL),
        "events": [id(event) for event in tracker.events],
        "slots": {n: (s.value, s.has_been_set) for n, s in tracker.slots.items()},
        "latest message": id(tracker.latest_message) if tracker.latest_message.text else None,
        "attributes": (
            tracker.sender_source,
            tracker.model_id,
            tracker.assistant_id,
            tracker.is_rule_tracker,
            tracker.latest_bot_utterance,
        ),
    }


def assert_copies_as_rasa(domain: Domain, events: list[Event], sender: str) -> int:
    tracker = DialogueStateTracker(sender, domain.slots)
    tracker.model_id, tracker.sender_source = "model-1", "widget"
    for event in events:
        tracker.update(event)
        assert state_of(tracker_copies.state_copy(tracker)) == state_of(RASAS_OWN(tracker))
    return len(events)


def test_every_training_conversation_copies_as_rasa_copies_it(
    domain: Domain, training_conversations: list[list[Event]]
) -> None:
    compared = sum(
        assert_copies_as_rasa(domain, events, f"training-{index}")
        for index, events in enumerate(training_conversations)
    )
    assert compared > 900


def test_undone_and_restarted_conversations_copy_as_rasa_copies_them(domain: Domain) -> None:
    events = undone_and_restarted()
    assert assert_copies_as_rasa(domain, events, "undone") == len(events)


def test_the_copy_is_its_own(domain: Domain) -> None:
    """The slots and the active loop change in place: the original's stay as they were."""
    tracker = DialogueStateTracker("own", domain.slots)
    for event in (listen(), said("track_order"), ActiveLoop("order_form")):
        tracker.update(event)
    before = state_of(tracker)
    twin = tracker_copies.state_copy(tracker)
    for event in (SlotSet("requested_slot", "order_number"), listen(), LoopInterrupted(True)):
        twin.update(event)
    assert state_of(tracker) == before
    assert twin.active_loop.is_interrupted and not tracker.active_loop.is_interrupted
    assert twin.get_slot("requested_slot") == "order_number"


def test_a_tracker_without_a_message_gives_its_copy_a_stand_in_of_its_own(domain: Domain) -> None:
    """Rasa's stand-in for a missing message is each tracker's own (events change a message in
    place); a message of the conversation is the same object in both."""
    tracker = DialogueStateTracker("quiet", domain.slots)
    tracker.update(listen())
    assert tracker_copies.state_copy(tracker).latest_message is not tracker.latest_message
    tracker.update(said("greet"))
    assert tracker_copies.state_copy(tracker).latest_message is tracker.latest_message


def test_a_tracker_that_dropped_events_is_copied_as_rasa_does(domain: Domain) -> None:
    tracker = DialogueStateTracker("short memory", domain.slots, max_event_history=3)
    for event in (SlotSet("requested_slot", "email"), listen(), said("greet"), listen()):
        tracker.update(event)
    assert tracker.get_slot("requested_slot") == "email"  # set by an event no longer kept
    assert state_of(tracker_copies.state_copy(tracker)) == state_of(RASAS_OWN(tracker))
    assert tracker_copies.state_copy(tracker).get_slot("requested_slot") is None  # as Rasa's


def test_install_replaces_rasas_copy_once() -> None:
    assert_installed_once(tracker_copies.install, DialogueStateTracker, "copy")
