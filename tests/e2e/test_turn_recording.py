"""The real Rasa server records each shopper message it understood, whoever sent it (REST)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from devtools.servers import Stack, new_sender
from shop.store.db import make_engine, make_session_factory, session_scope
from shop.store.learning import BotTurn

pytestmark = pytest.mark.e2e


def recorded(stack: Stack, sender: str) -> list[BotTurn]:
    engine = make_engine(stack.database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            statement = select(BotTurn).where(BotTurn.conversation_id == sender)
            return list(session.execute(statement.order_by(BotTurn.id)).scalars())
    finally:
        engine.dispose()


def test_every_rest_message_is_recorded_with_what_the_bot_understood(stack: Stack) -> None:
    me = new_sender()
    stack.say(me, "vous acceptez quels moyens de paiement ?")
    stack.say(me, "🙂 🙂 ?")  # no words: the bot cannot understand
    stack.say(me, "je voudrais parler à un conseiller")
    faq, gibberish, handoff = recorded(stack, me)
    assert (faq.intent, faq.faq_entry, faq.doubt) == ("faq", "paiement_moyens", None)
    assert faq.faq_score is not None and faq.faq_score > 0.5
    assert "action_answer_faq" in faq.actions
    assert gibberish.doubt == "fallback" and "action_fallback" in gibberish.actions
    assert (faq.next_step, gibberish.next_step) == ("continued", "handoff")
    assert handoff.intent == "human_handoff" and "action_human_handoff" in handoff.actions
