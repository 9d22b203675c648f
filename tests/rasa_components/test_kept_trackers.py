"""A tracker kept between turns drops what no later turn reads, and the kept ones are bounded."""

from __future__ import annotations

from pathlib import Path

from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.kept_trackers import EARLIER_MESSAGE_PARTS, KeptTrackers, compact
from bot.tracker_store import CountFreeSQLTrackerStore
from tests.rasa_components.test_tracker_reads import talk
from tests.rasa_components.test_tracker_store import DOMAIN, run, turn

START = 1_800_000_000.0
IDS = {"model_id": "m1", "assistant_id": "bijou-assistant"}


def conversation(turns: int) -> DialogueStateTracker:
    tracker = DialogueStateTracker("anne", DOMAIN.slots)
    for step in range(turns):
        turn(tracker, f"message {step}", START + 10 * step)
    return tracker


def messages(tracker: DialogueStateTracker) -> list[UserUttered]:
    return [event for event in tracker.events if isinstance(event, UserUttered)]


def test_earlier_messages_keep_intent_entities_and_metadata_not_their_rankings() -> None:
    tracker = conversation(3)
    whole = [dict(message.parse_data) for message in messages(tracker)]
    compact(tracker.events)
    *earlier, latest = messages(tracker)
    assert latest.parse_data == whole[-1]  # the latest message stays whole
    for message, before in zip(earlier, whole[:-1], strict=True):
        assert not set(EARLIER_MESSAGE_PARTS) & set(message.parse_data)
        assert message.parse_data == {
            k: v for k, v in before.items() if k not in EARLIER_MESSAGE_PARTS
        }
        assert message.parse_data["intent"]["name"] == "track_order"
    assert tracker.latest_message is latest


def test_compacting_turn_by_turn_equals_compacting_the_whole_conversation_once() -> None:
    by_turn = DialogueStateTracker("anne", DOMAIN.slots)
    for step in range(6):
        compacted = len(by_turn.events)
        turn(by_turn, f"message {step}", START + 10 * step)
        if step % 2:  # an action ran without a message in between
            by_turn.update(ActionExecuted("action_listen", timestamp=START + 10 * step + 5))
        compact(by_turn.events, compacted)
    rebuilt = conversation(0)
    for step in range(6):
        turn(rebuilt, f"message {step}", START + 10 * step)
        if step % 2:
            rebuilt.update(ActionExecuted("action_listen", timestamp=START + 10 * step + 5))
    compact(rebuilt.events)
    assert [e.as_dict() for e in by_turn.events] == [e.as_dict() for e in rebuilt.events]
    assert all("intent_ranking" not in m.parse_data for m in messages(by_turn)[:-1])


def test_equal_metadata_and_empty_bot_data_are_one_dict_and_the_others_their_own() -> None:
    first = ActionExecuted("action_listen", metadata=dict(IDS))
    second = ActionExecuted("action_listen", metadata=dict(IDS))
    other_model = ActionExecuted("action_listen", metadata={**IDS, "model_id": "m2"})
    message = UserUttered("bonjour", metadata={**IDS, "message_id": 7})
    empty = {"buttons": None, "image": None, "custom": None}
    asked = BotUttered("Votre e-mail ?", dict(empty), {**IDS, "utter_action": "utter_ask"})
    asked_again = BotUttered("Votre e-mail ?", dict(empty), {**IDS, "utter_action": "utter_ask"})
    with_buttons = BotUttered("Oui ?", {**empty, "buttons": [{"title": "Oui"}]}, dict(IDS))
    compact([first, second, other_model, message, asked, asked_again, with_buttons])
    assert first.metadata is second.metadata and first.metadata == IDS
    assert other_model.metadata == {**IDS, "model_id": "m2"}
    assert other_model.metadata is not first.metadata
    assert message.metadata == {**IDS, "message_id": 7}  # its own: the desk's id is in it
    assert asked.metadata is asked_again.metadata and asked.data is asked_again.data
    assert asked.data == empty and with_buttons.metadata is first.metadata
    assert with_buttons.data == {**empty, "buttons": [{"title": "Oui"}]}
    assert with_buttons.data is not asked.data


def test_the_store_keeps_the_tracker_compacted_and_the_history_whole(tmp_path: Path) -> None:
    store = CountFreeSQLTrackerStore(DOMAIN, db=str(tmp_path / "a.db"))
    talk(store, "anne", 4)
    kept = run(store.retrieve("anne"))
    *earlier, latest = messages(kept)
    assert len(earlier) == 3
    assert all("intent_ranking" not in m.parse_data for m in earlier)
    assert "intent_ranking" in latest.parse_data
    history = run(store.retrieve_full_tracker("anne"))
    assert all("intent_ranking" in m.parse_data for m in messages(history))


def test_a_tracker_read_from_the_database_equals_the_kept_one(tmp_path: Path) -> None:
    ours = CountFreeSQLTrackerStore(DOMAIN, db=str(tmp_path / "a.db"))
    talk(ours, "anne", 4)
    fresh = CountFreeSQLTrackerStore(DOMAIN, db=str(tmp_path / "a.db"))  # keeps nothing yet
    kept, read = run(ours.retrieve("anne")), run(fresh.retrieve("anne"))
    assert kept is not read
    assert [e.as_dict() for e in kept.events] == [e.as_dict() for e in read.events]


def test_the_least_recently_kept_go_first_when_the_events_are_too_many() -> None:
    kept: KeptTrackers[str] = KeptTrackers(conversations=3, events=100)
    kept.keep("anne", "a", 40)
    kept.keep("bruno", "b", 40)
    kept.get("anne")  # reading is not keeping: the order is the order kept
    kept.keep("anne", "a", 50)  # anne's tracker grew by a turn
    assert (kept.events, len(kept)) == (90, 2)
    kept.keep("chloe", "c", 30)  # 120 events: bruno, kept least recently, goes
    assert [kept.get(name) for name in ("anne", "bruno", "chloe")] == ["a", None, "c"]
    assert kept.events == 80
    kept.keep("david", "d", 500)  # larger than the budget alone: the others go, it stays
    assert [kept.get(name) for name in ("anne", "chloe", "david")] == [None, None, "d"]
    assert (kept.events, len(kept)) == (500, 1)
    kept.pop("david")
    assert (kept.events, len(kept)) == (0, 0)


def test_no_more_conversations_than_the_bound_are_kept() -> None:
    kept: KeptTrackers[int] = KeptTrackers(conversations=3, events=10_000)
    for number in range(10):
        kept.keep(f"c{number}", number, 1)
    assert len(kept) == 3 and kept.events == 3
    assert [kept.get(f"c{n}") for n in range(6, 10)] == [None, 7, 8, 9]


def test_clearing_forgets_every_conversation_and_its_events() -> None:
    kept: KeptTrackers[str] = KeptTrackers(conversations=5, events=100)
    kept.keep("anne", "a", 10)
    kept.keep("bruno", "b", 20)
    kept.clear()
    assert len(kept) == 0 and kept.events == 0 and kept.get("anne") is None
