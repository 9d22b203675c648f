"""Whole conversations through the real Rasa server and action server, over HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from devtools.servers import Stack, buttons, new_sender, slot, texts
from shop.store.db import make_engine, make_session_factory
from shop.store.demo import DEMO_ORDERS, DEMO_PROMO_CODES
from shop.store.models import Order, OrderStatus, Ticket

pytestmark = pytest.mark.e2e


def status_of(stack: Stack, number: str) -> OrderStatus:
    with make_session_factory(make_engine(stack.database_url))() as session:
        return session.execute(select(Order.status).where(Order.number == number)).scalar_one()


def ticket_numbers(stack: Stack, conversation: str) -> list[str]:
    with make_session_factory(make_engine(stack.database_url))() as session:
        query = select(Ticket.number).where(Ticket.conversation_id == conversation)
        return list(session.execute(query).scalars())


def test_cancel_in_sms_style_cancels_for_real(stack: Stack) -> None:
    demo = DEMO_ORDERS["cancellable"]
    me = new_sender()
    asked = texts(stack.say(me, f"slt jveux annulé ma cmd {demo.number}"))
    assert "adresse e-mail" in asked
    answer = stack.say(me, demo.email)
    assert "peut encore être annulée" in texts(answer)
    assert "Oui, annuler la commande" in buttons(answer)
    done = texts(stack.say(me, "/affirm"))
    assert "est annulée" in done
    assert status_of(stack, demo.number) == OrderStatus.CANCELLED


def test_track_order_gives_carrier_and_link(stack: Stack) -> None:
    demo = DEMO_ORDERS["shipped_on_time"]
    me = new_sender()
    assert "numéro de commande" in texts(stack.say(me, "bonjour, où en est mon colis ?"))
    assert "adresse e-mail" in texts(stack.say(me, demo.number))
    answer = texts(stack.say(me, f"c'est {demo.email}"))
    assert "Colissimo" in answer and "laposte.fr" in answer


def test_stuck_order_opens_a_ticket(stack: Stack) -> None:
    demo = DEMO_ORDERS["ready_to_ship_stuck"]
    me = new_sender()
    stack.say(me, f"ma commande {demo.number} n'est toujours pas partie, elle est où ?")
    answer = texts(stack.say(me, demo.email))
    [ticket] = ticket_numbers(stack, me)
    assert ticket in answer


def test_return_explains_the_window_and_exclusions(stack: Stack) -> None:
    demo = DEMO_ORDERS["delivered_engraved_ring"]
    me = new_sender()
    stack.say(me, "je voudrais retourner ma bague")
    stack.say(me, demo.number)
    answer = texts(stack.say(me, demo.email))
    assert "grav" in answer


def test_promo_code_typo_gets_the_real_code(stack: Stack) -> None:
    me = new_sender()
    answer = texts(stack.say(me, "mon code promo bienvenu10 ne marche pas"))
    assert DEMO_PROMO_CODES["active_welcome"].code in answer
    assert "adresse e-mail" not in answer  # the code alone: no customer is looked up


def test_finding_02_a_personal_code_gets_the_unknown_code_answer(stack: Stack) -> None:
    personal = DEMO_PROMO_CODES["nominative"].code
    answers = {
        code: texts(stack.say(new_sender(), f"mon code promo {code} ne marche pas"))
        for code in (personal, "ZQXW42", personal[:-2])
    }
    assert answers[personal].replace(personal, "X") == answers["ZQXW42"].replace("ZQXW42", "X")
    assert personal not in answers[personal[:-2]]  # no other customer's code suggested


def test_lost_parcel_checklist_then_inquiry_ticket(stack: Stack) -> None:
    demo = DEMO_ORDERS["delivered_not_received"]
    me = new_sender()
    stack.say(me, "mon colis est marqué livré mais j'ai rien reçu")
    stack.say(me, demo.number)
    checklist = texts(stack.say(me, demo.email))
    assert "voisins" in checklist
    answer = texts(stack.say(me, "/affirm"))
    [ticket] = ticket_numbers(stack, me)
    assert ticket in answer and "enquête" in answer


def test_resizing_collects_item_and_size_then_opens_a_ticket(stack: Stack) -> None:
    demo = DEMO_ORDERS["delivered_recent_ring"]
    me = new_sender()
    stack.say(me, "ma bague est trop petite")
    stack.say(me, demo.number)
    asked = texts(stack.say(me, demo.email))
    assert "taille" in asked
    answer = texts(stack.say(me, "du 56"))
    [ticket] = ticket_numbers(stack, me)
    assert ticket in answer


def test_wrong_email_looks_like_an_unknown_order_and_three_strikes_stop(stack: Stack) -> None:
    demo = DEMO_ORDERS["cancellable"]
    me, other = new_sender(), new_sender()
    stack.say(me, f"je veux suivre ma commande {demo.number}")
    wrong_pair = texts(stack.say(me, "quelquun@exemple.fr"))
    stack.say(other, "je veux suivre ma commande 999999")
    unknown = texts(stack.say(other, demo.email))
    assert wrong_pair == unknown and "Je ne trouve pas" in wrong_pair
    stack.say(me, demo.number)
    stack.say(me, "encore.faux@exemple.fr")
    stack.say(me, demo.number)
    third = stack.say(me, "toujours.faux@exemple.fr")
    [ticket] = ticket_numbers(stack, me)
    assert "conseiller" in texts(third) and ticket in texts(third)
    tracker = stack.tracker(me)
    assert slot(tracker, "identity_locked") is True and tracker["paused"] is True
    # The bot no longer answers nor looks anything up: a person has the conversation.
    stack.say(me, f"ou en est ma commande {demo.number}")
    after = texts(stack.say(me, demo.email))
    assert "Colissimo" not in after and demo.number not in after


def test_human_handoff_gives_a_ticket_number_and_pauses_the_bot(stack: Stack) -> None:
    me = new_sender()
    messages = stack.say(me, "je veux parler à un conseiller svp")
    [ticket] = ticket_numbers(stack, me)
    assert ticket in texts(messages)
    [note] = [m["custom"]["handoff"] for m in messages if m.get("custom")]
    assert note["reason"] == "shopper_request" and note["ticket"] == ticket
    assert stack.tracker(me)["paused"] is True
    assert stack.say(me, "allo ?") == []


def test_a_topic_change_reuses_the_verified_order(stack: Stack) -> None:
    demo = DEMO_ORDERS["delivered_recent_ring"]
    me = new_sender()
    stack.say(me, f"où en est ma commande {demo.number}")
    stack.say(me, demo.email)
    answer = texts(stack.say(me, "et je peux la retourner ?"))
    assert "adresse e-mail" not in answer and "14" in answer


def test_an_unknown_code_the_model_never_saw_is_diagnosed(stack: Stack) -> None:
    me = new_sender()
    answer = texts(stack.say(me, "mon code promo GOLD15 ne fonctionne pas"))
    assert "GOLD15" in answer and "Je ne trouve pas" in answer
