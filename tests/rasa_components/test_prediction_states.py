"""The dialogue states carried from one prediction to the next are Rasa's own, event by event, on
every conversation the training data holds (forms, their interruptions, rules) and on
conversations where Rasa undoes events (a reverted message, a restart, a new session)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sized

import pytest
from rasa.shared.core.constants import ACTION_LISTEN_NAME, PREVIOUS_ACTION, USER
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot import prediction_states

RASAS_OWN = Domain.states_for_tracker_history
RULE_ONLY = {"slots": ["requested_slot"], "loops": ["order_form"]}
# (omit_unset_slots, ignore_rule_only_turns, rule_only_data): the Rule and Memoization
# policies' reading, and what an ML policy reads (turns only rules know left out).
READINGS = ((False, False, None), (False, True, RULE_ONLY), (True, False, None))


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    prediction_states.forget()
    yield
    prediction_states.forget()


def assert_same_states_as_rasa(domain: Domain, events: list[Event], sender: str) -> int:
    """Grow a conversation event by event, as the Rasa server does, comparing the states with
    Rasa's after each; the number of comparisons."""
    tracker = DialogueStateTracker(sender, domain.slots)
    compared = 0
    for event in events:
        tracker.update(event)
        for omit_unset_slots, ignore_rule_only_turns, rule_only_data in READINGS:
            kept = prediction_states.states_for_tracker_history(
                domain, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data
            )
            rasas = RASAS_OWN(
                domain, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data
            )
            assert kept == rasas, (sender, len(tracker.events), ignore_rule_only_turns)
            compared += 1
    return compared


def test_every_training_conversation_reads_as_rasa_reads_it(
    domain: Domain, training_conversations: list[list[Event]]
) -> None:
    assert len(training_conversations) > 100
    compared = sum(
        assert_same_states_as_rasa(domain, events, f"training-{index}")
        for index, events in enumerate(training_conversations)
    )
    assert compared > 2_500
    # Each conversation's replay only ever grew: never started over.
    assert prediction_states.replays == {"started": len(training_conversations) * len(READINGS)}


def said(intent: str, text: str = "") -> UserUttered:
    return UserUttered(text or intent, {"name": intent, "confidence": 1.0})


def listen() -> ActionExecuted:
    return ActionExecuted(ACTION_LISTEN_NAME)


def undone_and_restarted() -> list[Event]:
    """A conversation where Rasa undoes events: a reverted message, a form's second run, a
    restart and a new session."""
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        listen(),
        said("greet", "bonjour"),
        DefinePrevUserUtteredFeaturization(False),
        ActionExecuted("utter_greet"),
        BotUttered("Bonjour !"),
        listen(),
        said("nlu_fallback", "blabla"),
        ActionExecuted("action_default_fallback"),
        UserUtteranceReverted(),  # the fallback undoes the message it could not read
        listen(),
        said("track_order", "où est ma commande ?"),
        ActionExecuted("order_form"),
        ActiveLoop("order_form"),
        SlotSet("requested_slot", "order_number"),
        listen(),
        said("inform", "275938"),
        ActionExecuted("order_form"),  # the form's run stands for the answer
        SlotSet("requested_slot", None),
        ActiveLoop(None),
        listen(),
        said("thanks", "merci"),
        Restarted(),
        listen(),
        said("greet", "re"),
        ActionExecuted("utter_greet"),
        ActionExecuted("action_session_start"),
        SessionStarted(),
        listen(),
        said("goodbye", "au revoir"),
    ]


def test_undone_and_restarted_conversations_read_as_rasa_reads_them(domain: Domain) -> None:
    events = undone_and_restarted()
    assert assert_same_states_as_rasa(domain, events, "undone") == len(events) * len(READINGS)
    # Started at the first event, the first session's start and the restart; taken up from
    # before a listen after the reverted message, the form's second run and the new session.
    assert prediction_states.replays == {
        "started": 3 * len(READINGS),
        "taken up before a listen": 3 * len(READINGS),
    }


def test_each_prediction_gets_states_of_its_own(domain: Domain) -> None:
    """The policies delete the text or the intent of a message in the states they are given."""
    tracker = DialogueStateTracker("own", domain.slots)
    for event in (listen(), said("greet"), ActionExecuted("utter_greet"), listen(), said("thanks")):
        tracker.update(event)
    first = prediction_states.states_for_tracker_history(domain, tracker)
    del first[-1][USER]
    first[1][PREVIOUS_ACTION].clear()
    again = prediction_states.states_for_tracker_history(domain, tracker)
    assert again == RASAS_OWN(domain, tracker)
    assert again[-1][USER] and again[1][PREVIOUS_ACTION]


def test_a_conversation_read_again_from_the_database_is_replayed_from_its_start(
    domain: Domain,
) -> None:
    """Equal events that are not the ones replayed (another server's, the database's): the
    replay starts over instead of trusting them."""
    first = DialogueStateTracker("again", domain.slots)
    for event in (listen(), said("greet"), ActionExecuted("utter_greet"), listen()):
        first.update(event)
    prediction_states.states_for_tracker_history(domain, first)
    read_again = DialogueStateTracker.from_dict("again", [e.as_dict() for e in first.events])
    read_again.slots = {name: slot for name, slot in first.slots.items()}
    read_again.update(said("track_order"))
    assert prediction_states.states_for_tracker_history(domain, read_again) == RASAS_OWN(
        domain, read_again
    )


def test_a_kept_state_shares_the_parts_equal_to_the_state_before(domain: Domain) -> None:
    tracker = DialogueStateTracker("anne", domain.slots)
    for event in (listen(), said("greet"), ActionExecuted("utter_greet"), listen()):
        tracker.update(event)
    prediction_states.states_for_tracker_history(domain, tracker)
    kept = prediction_states._kept.get("anne")[(False, False)].latest.states  # type: ignore[index]
    assert kept[2][USER] is kept[1][USER]  # the same message before both actions
    assert kept[2][PREVIOUS_ACTION] is not kept[1][PREVIOUS_ACTION]


def assert_kept_for_at_most(
    bound: int, read: Callable[[DialogueStateTracker], object], kept: Sized, domain: Domain
) -> None:
    """Read five conversations: what ``read`` keeps holds the latest ``bound`` only."""
    for index in range(5):
        tracker = DialogueStateTracker(f"shopper-{index}", domain.slots)
        tracker.update(listen())
        read(tracker)
    assert len(kept) == bound


def assert_installed_once(install: Callable[[], None], owner: type, name: str) -> None:
    """``install`` replaces ``owner.name``, and a second call keeps the first replacement."""
    original = getattr(owner, name)
    try:
        install()
        installed = getattr(owner, name)
        install()
        assert getattr(owner, name) is installed is not original
    finally:
        setattr(owner, name, original)


def test_kept_replays_are_bounded(domain: Domain, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prediction_states._kept, "max_conversations", 3)
    assert_kept_for_at_most(
        3,
        lambda tracker: prediction_states.states_for_tracker_history(domain, tracker),
        prediction_states._kept,
        domain,
    )


def test_install_replaces_rasas_replay_once() -> None:
    assert_installed_once(prediction_states.install, Domain, "states_for_tracker_history")
