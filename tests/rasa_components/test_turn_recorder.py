"""The tracker store records what the bot understood of each shopper message, and what came next."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select

from bot.tracker_store import CountFreeSQLTrackerStore
from shop.clock import FixedClock
from shop.store.db import make_engine, make_session_factory, session_scope
from shop.store.learning import BotTurn
from tests.support.threads import in_own_thread

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(ROOT / "domain.yml")
START = 1_800_000_000.0
ENTRY = {"intent_response_key": "faq/paiement_plusieurs_fois", "confidence": 0.8}


def run(coroutine: Any) -> Any:
    return in_own_thread(asyncio.run, coroutine)


class Conversation:
    """One shopper's conversation saved turn by turn through the real tracker store."""

    def __init__(self, store: CountFreeSQLTrackerStore, sender: str = "anne") -> None:
        self.store, self.sender, self.clock = store, sender, START
        store.clock = FixedClock(datetime.fromtimestamp(START, tz=timezone.utc))

    def says(
        self,
        text: str,
        intent: str,
        confidence: float,
        actions: tuple[str, ...] = (),
        after_s: float = 10.0,
        buttons: list[dict[str, str]] | None = None,
        **parse: Any,
    ) -> None:
        self.clock += after_s
        self.store.clock.set(datetime.fromtimestamp(self.clock, tz=timezone.utc))
        tracker: DialogueStateTracker = run(self.store.get_or_create_tracker(self.sender))
        parse_data = {"intent": {"name": intent, "confidence": confidence}, **parse}
        tracker.update(
            UserUttered(text, parse_data["intent"], parse_data=parse_data, timestamp=self.clock)
        )
        for step, action in enumerate(actions, start=1):
            tracker.update(ActionExecuted(action, timestamp=self.clock + step / 10))
        tracker.update(BotUttered("réponse", {"buttons": buttons}, timestamp=self.clock + 0.5))
        tracker.update(ActionExecuted("action_listen", timestamp=self.clock + 0.6))
        run(self.store.save(tracker))


@pytest.fixture()
def store(tmp_path: Path) -> CountFreeSQLTrackerStore:
    return CountFreeSQLTrackerStore(DOMAIN, db=str(tmp_path / "shop.db"))


def turns(store: CountFreeSQLTrackerStore) -> list[BotTurn]:
    engine = make_engine(str(store.engine.url))
    try:
        with session_scope(make_session_factory(engine)) as session:
            return list(session.execute(select(BotTurn).order_by(BotTurn.id)).scalars())
    finally:
        engine.dispose()


def test_a_faq_question_records_its_entry_entities_and_actions(store: Any) -> None:
    Conversation(store).says(
        "je peux payer en 3 fois pour la commande 123456 ?",
        "faq",
        0.93,
        actions=("action_answer_faq",),
        entities=[{"entity": "order_number", "value": "123456", "start": 35, "end": 41}],
        response_selector={"faq": {"response": ENTRY}},
    )
    [turn] = turns(store)
    assert (turn.conversation_id, turn.intent, turn.confidence) == ("anne", "faq", 0.93)
    assert (turn.faq_entry, turn.faq_score) == ("paiement_plusieurs_fois", 0.8)
    assert turn.entities == [{"entity": "order_number", "value": "123456"}]
    assert turn.actions == ["action_answer_faq"]
    assert turn.doubt is None and turn.next_step is None
    assert turn.created_at == datetime.fromtimestamp(START + 10, tz=timezone.utc)  # the clock's


def test_a_fallback_keeps_the_intent_the_model_believed_most_and_the_likeliest_entry(
    store: Any,
) -> None:
    Conversation(store).says(
        "euh le truc de la bague la",
        "nlu_fallback",
        0.5,
        actions=("action_fallback",),
        intent_ranking=[
            {"name": "nlu_fallback", "confidence": 0.5},
            {"name": "resize_item", "confidence": 0.41},
        ],
        faq_candidates=[{"faq_id": "bijoux_guide_tailles", "confidence": 0.2}],
    )
    [turn] = turns(store)
    assert (turn.intent, turn.confidence, turn.doubt) == ("resize_item", 0.41, "fallback")
    assert (turn.faq_entry, turn.faq_score) == ("bijoux_guide_tailles", 0.2)


def test_did_you_mean_buttons_mark_an_ambiguity_and_a_low_score_a_low_confidence(
    store: Any,
) -> None:
    chat = Conversation(store)
    chat.says(
        "livraison",
        "faq",
        0.9,
        actions=("action_answer_faq",),
        buttons=[{"title": "Délais", "payload": '/choose_faq{"faq_id": "livraison_delais"}'}],
    )
    chat.says("je veux annuler", "cancel_order", 0.62, actions=("cancel_form",))
    chat.says("annuler la commande", "cancel_order", 0.95, actions=("cancel_form",))
    assert [t.doubt for t in turns(store)] == ["ambiguous", "low_confidence", None]


def test_what_the_shopper_did_next_is_written_on_the_previous_turn(store: Any) -> None:
    chat = Conversation(store)
    chat.says("blabla bague", "nlu_fallback", 0.3, actions=("action_fallback",))
    chat.says("je veux agrandir ma bague", "resize_item", 0.9, after_s=30)
    chat.says("ok merci beaucoup", "thanks", 0.95, after_s=30)
    chat.says("où est mon colis", "track_order", 0.9, after_s=600)
    chat.says("je veux parler à quelqu'un", "human_handoff", 0.97, after_s=20)
    chat.says("quels sont vos horaires", "faq", 0.9, after_s=20)
    chat.says("quels sont vos horaires d'ouverture svp", "faq", 0.9, after_s=40)
    assert [t.next_step for t in turns(store)] == [
        "rephrased",  # right after « je n'ai pas compris »
        "thanked",
        "continued",  # another question, ten minutes later
        "handoff",
        "continued",
        "rephrased",  # nearly the same words
        None,  # nothing yet
    ]


def test_a_button_click_records_no_turn_but_answers_the_previous_one(store: Any) -> None:
    chat = Conversation(store)
    chat.says("livraison", "faq", 0.9, actions=("action_answer_faq",))
    chat.says('/choose_faq{"faq_id": "livraison_delais"}', "choose_faq", 1.0, after_s=5)
    [turn] = turns(store)
    assert (turn.text, turn.next_step) == ("livraison", "continued")


def test_each_conversation_has_its_own_next_steps(store: Any) -> None:
    Conversation(store, "anne").says("blabla", "nlu_fallback", 0.2, actions=("action_fallback",))
    Conversation(store, "bruno").says("merci", "thanks", 0.99)
    assert [(t.conversation_id, t.next_step) for t in turns(store)] == [
        ("anne", None),
        ("bruno", None),
    ]


def test_odd_parse_data_is_recorded_as_far_as_it_goes_and_the_turn_is_saved(store: Any) -> None:
    chat = Conversation(store)
    chat.says("???", "greet", "très", entities=["pas un dict"], response_selector={"faq": None})
    [turn] = turns(store)
    assert (turn.intent, turn.confidence, turn.entities, turn.faq_entry) == (
        "greet",
        None,
        [],
        None,
    )
    tracker = run(store.retrieve("anne"))
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["???"]
