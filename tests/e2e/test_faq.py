"""The FAQ through the real servers: answered, chosen among close entries, edited live."""

from __future__ import annotations

import time

import pytest

from devtools.servers import Stack, new_sender, texts

pytestmark = pytest.mark.e2e


def test_a_faq_question_gets_the_shop_answer(stack: Stack) -> None:
    answer = texts(stack.say(new_sender(), "vous acceptez quels moyens de paiement ?"))
    assert answer and "{" not in answer
    assert "carte" in answer.lower()


def test_a_faq_question_inside_a_journey_then_the_journey_goes_on(stack: Stack) -> None:
    me = new_sender()
    assert "numéro de commande" in texts(stack.say(me, "je veux suivre ma commande"))
    reply = texts(stack.say(me, "au fait, vous acceptez quels moyens de paiement ?"))
    assert "carte" in reply.lower() and "numéro de commande" in reply


def test_a_chosen_entry_is_answered(stack: Stack) -> None:
    answer = texts(stack.say(new_sender(), '/choose_faq{"faq_id": "paiement_moyens"}'))
    assert "PayPal" in answer and "{" not in answer


def test_editing_an_answer_goes_live_without_retraining(stack: Stack) -> None:
    path = stack.knowledge_dir / "paiement.yml"
    original = path.read_text()
    anchor = "Vous pouvez payer par carte bancaire"
    marker = "Nouveau : les chèques-cadeaux sont acceptés."
    assert anchor in original
    question = "vous acceptez quels moyens de paiement ?"
    assert marker not in texts(stack.say(new_sender(), question))
    try:
        path.write_text(original.replace(anchor, f"{marker} {anchor}", 1))
        deadline = time.monotonic() + 15
        after = ""
        while time.monotonic() < deadline and marker not in after:
            time.sleep(1)
            after = texts(stack.say(new_sender(), question))
        assert marker in after
    finally:
        path.write_text(original)


def test_a_broken_file_keeps_the_last_good_answers(stack: Stack) -> None:
    path = stack.knowledge_dir / "paiement.yml"
    original = path.read_text()
    question = "vous acceptez quels moyens de paiement ?"
    try:
        path.write_text(original.replace("- id: paiement_moyens", "- id: [broken", 1))
        time.sleep(3)  # longer than the reload interval: the broken version was seen
        assert "PayPal" in texts(stack.say(new_sender(), question))
    finally:
        path.write_text(original)
