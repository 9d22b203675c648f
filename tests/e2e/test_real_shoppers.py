"""Real shoppers through the real Rasa server and action server: closings, an order number in
a FAQ-like question, digressions inside a journey, a value that does not fit the question."""

from __future__ import annotations

import pytest

from devtools.servers import Stack, buttons, new_sender, texts
from shop.store.demo import DEMO_ORDERS

pytestmark = pytest.mark.e2e

NOT_UNDERSTOOD = "pas bien compris"
OUT_OF_SCOPE = "je ne peux répondre qu'aux questions"


@pytest.mark.parametrize(
    "closing",
    [
        "merci pour votre aide, au revoir",
        "super merci mille fois bonne journée",
        "de belles fêtes de fin d'année à vous",
    ],
)
def test_a_closing_gets_a_closing(stack: Stack, closing: str) -> None:
    answer = texts(stack.say(new_sender(), closing))
    assert NOT_UNDERSTOOD not in answer and OUT_OF_SCOPE not in answer
    assert "plaisir" in answer or "Au revoir" in answer


def test_not_received_with_an_order_number_starts_the_order_journey(stack: Stack) -> None:
    demo = DEMO_ORDERS["shipped_late"]
    me = new_sender()
    asked = texts(stack.say(me, f"bonjour, je n'ai toujours pas reçu ma commande {demo.number}"))
    assert "adresse e-mail" in asked and "confirmation" not in asked
    answer = texts(stack.say(me, demo.email))
    # Tracking or the lost-parcel journey: both answer about that late parcel.
    assert "Colissimo" in answer or "aurait dû arriver" in answer


def test_a_faq_question_inside_a_journey_is_answered_then_the_journey_resumes(stack: Stack) -> None:
    demo = DEMO_ORDERS["shipped_on_time"]
    me = new_sender()
    assert "numéro de commande" in texts(stack.say(me, "je voudrais suivre ma commande"))
    digression = texts(stack.say(me, "au fait vous acceptez le paiement en plusieurs fois ?"))
    assert "fois" in digression
    assert "Revenons au suivi de votre commande." in digression
    assert "numéro de commande" in digression
    assert "adresse e-mail" in texts(stack.say(me, demo.number))
    answer = texts(stack.say(me, demo.email))
    assert "Colissimo" in answer


def test_another_journey_mid_form_keeps_the_order_number(stack: Stack) -> None:
    demo = DEMO_ORDERS["cancellable_paypal"]  # not cancelled by another test
    me = new_sender()
    assert "adresse e-mail" in texts(stack.say(me, f"où en est ma commande {demo.number} ?"))
    switched = texts(stack.say(me, "en fait non, je veux l'annuler"))
    assert "adresse e-mail" in switched and "numéro de commande" not in switched
    answer = stack.say(me, demo.email)
    assert "peut encore être annulée" in texts(answer)
    assert "Oui, annuler la commande" in buttons(answer)


def test_stop_leaves_the_journey_politely(stack: Stack) -> None:
    me = new_sender()
    stack.say(me, "je veux retourner un article")
    answer = texts(stack.say(me, "laissez tomber"))
    assert "j'arrête là" in answer
    assert "numéro de commande" not in answer


def test_an_email_typed_for_the_code_is_refused_clearly(stack: Stack) -> None:
    me = new_sender()
    assert "code promo" in texts(stack.say(me, "mon code promo ne marche pas"))
    answer = texts(stack.say(me, DEMO_ORDERS["past_cutoff"].email))
    assert "Ceci est une adresse e-mail, pas un code promo." in answer
    assert answer.count("Quel code") == 1  # asked again once


def test_every_parse_names_the_likeliest_faq_entries_for_the_fallback(stack: Stack) -> None:
    """actions/handoff.py offers them when the bot is unsure; the model must give them for any
    message, not only for FAQ questions."""
    for text in ("bon alors euh voilà quoi", "je veux annuler ma commande"):
        candidates = stack.parse(text).get("faq_candidates") or []
        assert len(candidates) == 3
        assert all(0.0 <= item["confidence"] <= 1.0 for item in candidates)
