"""The identity check inside the journey forms: a wrong pair looks like an unknown order."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import sessionmaker

from actions.identity import ValidateCancelForm, ValidatePromoForm, ValidateResizeForm
from shop.store.demo import DEMO_ORDERS
from tests.actions.conftest import DOMAIN, make_tracker, slot_events, text_of


def validate(action: Any, slots: dict[str, Any], **latest: Any) -> tuple[str, dict[str, Any]]:
    """Run a form validation action as Rasa does: the new slot values arrive as events."""
    events = [{"event": "user", "text": latest.get("text", "")}] + [
        {"event": "slot", "name": name, "value": value} for name, value in slots.items()
    ]
    tracker = make_tracker(slots, events=events, active_loop=action.form_name(), **latest)
    dispatcher = CollectingDispatcher()
    result = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return text_of(dispatcher.messages), slot_events(result)


def test_the_right_pair_is_verified(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["cancellable"]
    text, slots = validate(
        ValidateCancelForm(), {"order_number": demo.number, "order_email": demo.email.upper()}
    )
    assert slots["verified_order"] == demo.number
    assert slots["order_email"] == demo.email
    assert text == ""


def test_spaced_and_prefixed_numbers_are_normalised(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["cancellable"]
    spaced = f"n° {demo.number[:3]} {demo.number[3:]}"
    _, slots = validate(ValidateCancelForm(), {"order_number": spaced, "order_email": demo.email})
    assert slots["order_number"] == demo.number and slots["verified_order"] == demo.number


def test_a_wrong_email_gets_the_same_answer_as_an_unknown_number(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["cancellable"]
    other = DEMO_ORDERS["past_cutoff"]
    wrong_pair, wrong_slots = validate(
        ValidateCancelForm(), {"order_number": demo.number, "order_email": other.email}
    )
    unknown, unknown_slots = validate(
        ValidateCancelForm(), {"order_number": "999999", "order_email": demo.email}
    )
    assert wrong_pair == unknown and "Je ne trouve pas" in wrong_pair
    assert wrong_slots == unknown_slots
    assert wrong_slots["order_number"] is None and wrong_slots["order_email"] is None
    assert wrong_slots["identity_failures"] == 1


def test_third_failure_stops_the_lookups_and_offers_a_person(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["cancellable"]
    slots = {"order_number": demo.number, "order_email": "nobody@example.fr"}
    text, events = validate(ValidateCancelForm(), {**slots, "identity_failures": 2})
    assert events["identity_locked"] is True
    assert events["requested_slot"] is None
    assert "conseiller" in text


def test_a_locked_conversation_is_not_looked_up_again(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["cancellable"]
    slots = {
        "order_number": demo.number,
        "order_email": demo.email,
        "identity_locked": True,
        "identity_failures": 3,
    }
    _, events = validate(ValidateCancelForm(), slots)
    assert "verified_order" not in events
    assert events.get("requested_slot") is None


def test_a_malformed_number_is_asked_again_in_french(shop_db: sessionmaker) -> None:
    text, slots = validate(ValidateCancelForm(), {"order_number": "12ab"})
    assert slots["order_number"] is None
    assert "6 chiffres" in text


def test_a_malformed_email_is_asked_again_in_french(shop_db: sessionmaker) -> None:
    text, slots = validate(ValidateCancelForm(), {"order_email": "claire.martin@"})
    assert slots["order_email"] is None
    assert "adresse e-mail" in text


def test_a_bare_number_answer_is_taken_when_the_nlu_missed_it(shop_db: sessionmaker) -> None:
    action = ValidateCancelForm()
    tracker = make_tracker(
        {"requested_slot": "order_number"}, text="c la 482 913", active_loop="cancel_form"
    )
    extracted = asyncio.run(action.extract_order_number(CollectingDispatcher(), tracker, DOMAIN))
    assert extracted == {"order_number": "482913"}


def test_only_rings_bracelets_and_watches_can_be_resized(shop_db: sessionmaker) -> None:
    text, slots = validate(ValidateResizeForm(), {"product_kind": "earrings"})
    assert slots["product_kind"] is None and "bagues" in text


def test_the_promo_form_does_not_look_up_orders(shop_db: sessionmaker) -> None:
    _, slots = validate(
        ValidatePromoForm(), {"promo_code": "NOEL25", "order_email": "Claire.Martin@gmail.com"}
    )
    assert "verified_order" not in slots and "identity_failures" not in slots


def test_two_extractors_filling_the_number_and_email_twice_still_work(
    shop_db: sessionmaker,
) -> None:
    demo = DEMO_ORDERS["cancellable"]
    partial, full = demo.number[:3], f"{demo.number[:3]} {demo.number[3:]}"
    _, slots = validate(
        ValidateCancelForm(),
        {"order_number": [partial, full], "order_email": [demo.email, demo.email]},
    )
    assert slots["order_number"] == demo.number
    assert slots["verified_order"] == demo.number


def test_the_wanted_size_is_read_from_the_answer(shop_db: sessionmaker) -> None:
    _, slots = validate(ValidateResizeForm(), {"ring_size": ["56", "taille 56"]})
    assert slots["ring_size"] == "56"
    text, slots = validate(ValidateResizeForm(), {"ring_size": "grande"})
    assert slots["ring_size"] is None and "chiffres" in text


def test_an_unknown_code_in_the_first_message_is_caught_without_the_nlu(
    shop_db: sessionmaker,
) -> None:
    tracker = make_tracker(
        {},
        text="le coupon GOLD15 est rejeté",
        intent="promo_code_failing",
        active_loop="promo_form",
    )
    extracted = asyncio.run(
        ValidatePromoForm().extract_promo_code(CollectingDispatcher(), tracker, DOMAIN)
    )
    assert extracted == {"promo_code": "GOLD15"}


def test_a_message_without_a_code_gives_no_code(shop_db: sessionmaker) -> None:
    tracker = make_tracker({}, text="mon code promo 482913 marche pas", intent="promo_code_failing")
    extracted = asyncio.run(
        ValidatePromoForm().extract_promo_code(CollectingDispatcher(), tracker, DOMAIN)
    )
    assert extracted == {}


def test_an_email_typed_when_the_code_is_asked_is_not_taken_for_the_code(
    shop_db: sessionmaker,
) -> None:
    tracker = make_tracker(
        {"requested_slot": "promo_code"},
        text="claire.martin2@exemple.fr",
        entities=[{"entity": "email", "value": "claire.martin2@exemple.fr"}],
        active_loop="promo_form",
    )
    dispatcher = CollectingDispatcher()
    extracted = asyncio.run(ValidatePromoForm().extract_promo_code(dispatcher, tracker, DOMAIN))
    assert extracted == {}
    assert "Ceci est une adresse e-mail, pas un code promo." in text_of(dispatcher.messages)


def test_an_email_given_as_the_code_is_refused_with_a_clear_sentence(
    shop_db: sessionmaker,
) -> None:
    text, slots = validate(ValidatePromoForm(), {"promo_code": "claire@exemple.fr"})
    assert slots["promo_code"] is None
    assert "Ceci est une adresse e-mail, pas un code promo." in text


def test_finding_11_another_order_number_asks_for_its_email_instead_of_a_strike(
    shop_db: sessionmaker,
) -> None:
    """A new journey about another order: Rasa's form re-validates the e-mail kept from the
    verified order with the new number; that e-mail is not the shopper's answer for it."""
    first, other = DEMO_ORDERS["cancellable"], DEMO_ORDERS["past_cutoff"]
    assert first.email != other.email
    slots = {"order_number": other.number, "order_email": first.email}
    text, events = validate(
        ValidateCancelForm(),
        {**slots, "verified_order": first.number},
        text=f"et pour la commande {other.number} ?",
        entities=[{"entity": "order_number", "value": other.number}],
    )
    assert "Je ne trouve pas" not in text
    assert events.get("identity_failures", 0) == 0
    assert events["order_email"] is None and events["order_number"] == other.number
