"""A conversation's applied events carried from one reading to the next are Rasa's own, event by
event, on every training conversation and on conversations where Rasa undoes events; and the
dialogue states read through them too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot import applied_events, prediction_states
from tests.rasa_components.test_prediction_states import (
    assert_installed_once,
    assert_kept_for_at_most,
    assert_same_states_as_rasa,
    listen,
    said,
    undone_and_restarted,
)

RASAS_OWN = DialogueStateTracker.applied_events


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    applied_events.forget()
    prediction_states.forget()
    yield
    applied_events.forget()
    prediction_states.forget()


def assert_same_applied_events_as_rasa(domain: Domain, events: list[Event], sender: str) -> None:
    tracker = DialogueStateTracker(sender, domain.slots)
    for event in events:
        tracker.update(event)
        kept = applied_events.applied_events(tracker)
        rasas = RASAS_OWN(tracker)
        assert len(kept) == len(rasas) and all(a is b for a, b in zip(kept, rasas, strict=True))


def test_every_training_conversation_reads_as_rasa_reads_it(
    domain: Domain,
    training_conversations: list[list[Event]],
) -> None:
    for index, events in enumerate(training_conversations):
        assert_same_applied_events_as_rasa(domain, events, f"training-{index}")


def test_undone_and_restarted_conversations_read_as_rasa_reads_them(
    domain: Domain,
) -> None:
    assert_same_applied_events_as_rasa(domain, undone_and_restarted(), "undone")


def test_a_form_named_after_its_runs_is_read_again_from_the_start(
    domain: Domain,
) -> None:
    """Rasa folds a form's later runs once any event names it as a form, earlier ones too."""
    events: list[Event] = [
        listen(),
        said("track_order"),
        ActionExecuted("order_form"),
        SlotSet("requested_slot", "order_number"),
        listen(),
        said("inform", "275938"),
        ActionExecuted("order_form"),
        ActiveLoop("order_form"),  # only now known as a form
        listen(),
    ]
    assert_same_applied_events_as_rasa(domain, events, "late form")


def test_each_caller_gets_a_list_of_its_own(domain: Domain) -> None:
    tracker = DialogueStateTracker("own", domain.slots)
    for event in (listen(), said("greet")):
        tracker.update(event)
    applied_events.applied_events(tracker).clear()
    assert len(applied_events.applied_events(tracker)) == 2


def test_states_read_through_kept_applied_events_are_rasas(
    domain: Domain,
    training_conversations: list[list[Event]],
) -> None:
    """As the Rasa server runs them: both installed."""
    try:
        applied_events.install()
        for index, events in enumerate(training_conversations[:40]):
            assert_same_states_as_rasa(domain, events, f"training-{index}")
        assert_same_states_as_rasa(domain, undone_and_restarted(), "undone")
    finally:
        DialogueStateTracker.applied_events = RASAS_OWN  # type: ignore[method-assign]


def test_kept_readings_are_bounded(domain: Domain, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(applied_events._kept, "max_conversations", 3)
    assert_kept_for_at_most(3, applied_events.applied_events, applied_events._kept, domain)


def test_install_replaces_rasas_reading_once() -> None:
    assert_installed_once(applied_events.install, DialogueStateTracker, "applied_events")
