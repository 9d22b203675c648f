"""The six journeys through the real actions, real trackers and a real seeded database."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions.confirmation import ActionHandleConfirmation
from actions.delivery import ActionLostParcel
from actions.handoff import ActionFallback, ActionHumanHandoff
from actions.orders import ActionCancelOrder, ActionTrackOrder
from actions.promo import ActionPromoCode
from actions.returns import ActionReturnItem
from actions.sizing import ActionResizeItem
from shop.store.demo import DEMO_ORDERS, DEMO_PROMO_CODES
from shop.store.models import Order, OrderStatus, Ticket
from tests.actions.conftest import DOMAIN, make_tracker, run_action, slot_events, text_of, verified


def order_status(sessions: sessionmaker, number: str) -> OrderStatus:
    with sessions() as session:
        return session.execute(select(Order.status).where(Order.number == number)).scalar_one()


def tickets(sessions: sessionmaker) -> list[Ticket]:
    with sessions() as session:
        return list(session.execute(select(Ticket).order_by(Ticket.id)).scalars())


def test_cancel_asks_for_confirmation_then_cancels_in_the_store(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["cancellable"]
    messages, events = run_action(
        ActionCancelOrder(), make_tracker(verified(demo.number, demo.email), intent="cancel_order")
    )
    assert "peut encore être annulée" in text_of(messages)
    assert any(b["payload"] == "/affirm" for m in messages for b in (m.get("buttons") or []))
    assert slot_events(events)["pending_confirmation"] == "cancel_order"
    assert order_status(shop_db, demo.number) == OrderStatus.PAYMENT_AUTHORISED

    slots = verified(demo.number, demo.email, pending_confirmation="cancel_order")
    messages, events = run_action(
        ActionHandleConfirmation(), make_tracker(slots, text="oui", intent="affirm")
    )
    assert f"commande {demo.number} est annulée" in text_of(messages)
    assert slot_events(events)["pending_confirmation"] is None
    assert order_status(shop_db, demo.number) == OrderStatus.CANCELLED


def test_a_no_keeps_the_order(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["cancellable"]
    slots = verified(demo.number, demo.email, pending_confirmation="cancel_order")
    messages, _ = run_action(
        ActionHandleConfirmation(), make_tracker(slots, text="non", intent="deny")
    )
    assert "conservée" in text_of(messages)
    assert order_status(shop_db, demo.number) == OrderStatus.PAYMENT_AUTHORISED


def test_cancel_refused_after_cutoff_leaves_the_order_untouched(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["past_cutoff"]
    messages, events = run_action(
        ActionCancelOrder(), make_tracker(verified(demo.number, demo.email))
    )
    assert "ne peut plus être annulée" in text_of(messages)
    assert slot_events(events)["pending_confirmation"] is None
    assert order_status(shop_db, demo.number) == OrderStatus.BEING_PREPARED


def test_a_journey_without_a_verified_pair_shows_nothing(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["cancellable"]
    slots = {"order_number": demo.number, "order_email": demo.email}  # never verified
    messages, _ = run_action(ActionTrackOrder(), make_tracker(slots))
    assert demo.number not in text_of(messages)
    assert "Parler à un conseiller" in [b["title"] for m in messages for b in m["buttons"] or []]


def test_tracking_a_stuck_order_opens_a_ticket(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["ready_to_ship_stuck"]
    tracker = make_tracker(verified(demo.number, demo.email), sender="conv-stuck")
    messages, _ = run_action(ActionTrackOrder(), tracker)
    [ticket] = tickets(shop_db)
    assert ticket.number in text_of(messages)
    assert ticket.reason_code == "stuck_ready_to_ship"
    assert ticket.kind == "tracking"
    assert ticket.conversation_id == "conv-stuck"
    assert ticket.order_id is not None and ticket.clause


def test_tracking_a_parcel_on_its_way_gives_the_tracking_link(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["shipped_on_time"]
    messages, _ = run_action(ActionTrackOrder(), make_tracker(verified(demo.number, demo.email)))
    assert "laposte.fr" in text_of(messages)
    assert tickets(shop_db) == []


def test_return_excludes_the_engraved_ring(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["delivered_engraved_ring"]
    messages, _ = run_action(ActionReturnItem(), make_tracker(verified(demo.number, demo.email)))
    assert "grav" in text_of(messages)


def test_return_inside_the_window_explains_the_steps(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["delivered_recent_ring"]
    messages, _ = run_action(ActionReturnItem(), make_tracker(verified(demo.number, demo.email)))
    text = text_of(messages)
    assert "retour" in text.lower() and "14" in text


def test_promo_code_typo_suggests_the_real_code(shop_db: sessionmaker) -> None:
    messages, events = run_action(
        ActionPromoCode(), make_tracker({"promo_code": "bienvenu10", "order_email": None})
    )
    assert DEMO_PROMO_CODES["active_welcome"].code in text_of(messages)
    assert slot_events(events)["promo_code"] is None


def promo_answer(code: str, email: str | None = None) -> str:
    """What the shopper reads, the code itself blanked, to compare answers between codes."""
    slots = {"promo_code": code, "order_email": email}
    messages, _ = run_action(ActionPromoCode(), make_tracker(slots))
    return text_of(messages).replace(code, "<code>")


def test_finding_02_a_personal_code_answers_exactly_as_an_unknown_code(
    shop_db: sessionmaker,
) -> None:
    personal = DEMO_PROMO_CODES["nominative"]
    unknown = promo_answer("ZQXW42")
    assert "Je ne trouve pas" in unknown and "code personnel" in unknown
    assert promo_answer(personal.code) == unknown
    assert promo_answer(personal.code, DEMO_ORDERS["past_cutoff"].email) == unknown  # not yours
    assert promo_answer(personal.code, str(personal.email)) == unknown  # nobody proved it


def test_finding_02_typos_are_matched_among_public_codes_only(shop_db: sessionmaker) -> None:
    personal = DEMO_PROMO_CODES["nominative"].code  # VIPCLAIRE15
    answer = promo_answer(personal[:-2])
    assert personal not in answer and "Vouliez-vous dire" not in answer


def test_finding_02_a_used_single_use_code_says_the_rule_not_who_used_it(
    shop_db: sessionmaker,
) -> None:
    used = DEMO_PROMO_CODES["already_used"]
    by_its_user = promo_answer(used.code, str(used.email))
    by_a_stranger = promo_answer(used.code, "quelquun@exemple.fr")
    assert by_its_user == by_a_stranger == promo_answer(used.code)
    assert "une fois par compte" in by_its_user and "déjà utilisé" not in by_its_user


def test_promo_code_expired(shop_db: sessionmaker) -> None:
    code = DEMO_PROMO_CODES["expired"].code
    messages, _ = run_action(ActionPromoCode(), make_tracker({"promo_code": code}))
    assert "expir" in text_of(messages)


def test_lost_parcel_checklist_then_inquiry_ticket(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["delivered_not_received"]
    messages, events = run_action(
        ActionLostParcel(), make_tracker(verified(demo.number, demo.email))
    )
    assert "voisins" in text_of(messages)
    assert slot_events(events)["pending_confirmation"] == "lost_parcel"
    assert tickets(shop_db) == []

    slots = verified(demo.number, demo.email, pending_confirmation="lost_parcel")
    messages, _ = run_action(ActionHandleConfirmation(), make_tracker(slots, intent="affirm"))
    [ticket] = tickets(shop_db)
    assert ticket.kind == "lost_parcel" and ticket.priority == 1
    assert ticket.number in text_of(messages)
    assert "21 jours" in text_of(messages)
    assert "attestation sur l'honneur" in text_of(messages)


def test_a_late_parcel_gets_the_inquiry_offered_without_a_checklist(shop_db: sessionmaker) -> None:
    """No list of checks was given for a parcel still in transit: the bot must not ask whether
    « ces vérifications » were done."""
    demo = DEMO_ORDERS["shipped_late"]
    messages, events = run_action(
        ActionLostParcel(), make_tracker(verified(demo.number, demo.email))
    )
    assert "vérifications" not in text_of(messages)
    assert "Voulez-vous que j'ouvre l'enquête" in text_of(messages)
    assert slot_events(events)["pending_confirmation"] == "lost_parcel"


def test_lost_parcel_outside_the_eu_doubles_the_inquiry_time(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["delivered_not_received_outside_eu"]
    slots = verified(demo.number, demo.email, pending_confirmation="lost_parcel")
    messages, _ = run_action(ActionHandleConfirmation(), make_tracker(slots, intent="affirm"))
    assert "42 jours" in text_of(messages)


def test_resizing_inside_the_window_opens_a_workshop_ticket(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["delivered_recent_ring"]
    slots = verified(demo.number, demo.email, product_kind="ring", ring_size="56")
    messages, events = run_action(ActionResizeItem(), make_tracker(slots))
    [ticket] = tickets(shop_db)
    assert ticket.kind == "resizing" and ticket.reason_code == "in_window"
    assert ticket.number in text_of(messages)
    assert slot_events(events)["ring_size"] is None


def test_resizing_an_item_the_order_does_not_have(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["delivered_necklace"]
    slots = verified(demo.number, demo.email, product_kind="ring", ring_size="56")
    messages, _ = run_action(ActionResizeItem(), make_tracker(slots))
    assert "Je ne trouve pas de bague" in text_of(messages)
    assert tickets(shop_db) == []


def test_handoff_opens_a_ticket_with_what_the_bot_knows(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["shipped_late"]
    events = [
        {
            "event": "user",
            "text": "x",
            "parse_data": {"intent": {"name": "track_order", "confidence": 0.91}},
        },
        {
            "event": "user",
            "text": "y",
            "parse_data": {"intent": {"name": "human_handoff", "confidence": 0.99}},
        },
    ]
    tracker = make_tracker(verified(demo.number, demo.email), events=events, sender="conv-h")
    messages, events = run_action(ActionHumanHandoff(), tracker)
    [ticket] = tickets(shop_db)
    assert handoff_of(messages)["intent"] == "track_order" and paused(events)
    assert ticket.kind == "handoff" and ticket.conversation_id == "conv-h"
    assert ticket.facts["previous_intent"] == "track_order"
    assert ticket.facts["verified"] is True and ticket.order_id is not None
    assert ticket.number in text_of(messages)


def handoff_of(messages: list[dict[str, Any]]) -> dict[str, Any]:
    [note] = [m["custom"]["handoff"] for m in messages if (m.get("custom") or {}).get("handoff")]
    return dict(note)


def paused(events: list[Any]) -> bool:
    return any(e.get("event") == "pause" for e in events)


def test_second_fallback_in_a_row_hands_over_to_a_person(shop_db: sessionmaker) -> None:
    fallback = {"event": "user", "parse_data": {"intent": {"name": "nlu_fallback"}}}
    once, once_events = run_action(ActionFallback(), make_tracker(events=[fallback]))
    assert "Je n'ai pas bien compris" in text_of(once) and not paused(once_events)
    assert tickets(shop_db) == []
    twice, events = run_action(ActionFallback(), make_tracker(events=[fallback, fallback]))
    [ticket] = tickets(shop_db)
    assert "conseiller" in text_of(twice) and ticket.number in text_of(twice)
    assert handoff_of(twice)["reason"] == "fallback" and paused(events)


def test_a_policy_ticket_hands_over_with_the_decision_in_the_note(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["ready_to_ship_stuck"]
    messages, events = run_action(
        ActionTrackOrder(), make_tracker(verified(demo.number, demo.email), intent="track_order")
    )
    note = handoff_of(messages)
    assert note["reason"] == "policy" and note["verified"] is True
    assert note["order_number"] == demo.number and note["intent"] == "track_order"
    assert note["decision"]["reason_code"] == "stuck_ready_to_ship"
    assert note["ticket"] == tickets(shop_db)[0].number
    assert paused(events)


def test_an_answer_without_a_person_does_not_pause(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["shipped_on_time"]
    messages, events = run_action(
        ActionTrackOrder(), make_tracker(verified(demo.number, demo.email))
    )
    assert not paused(events)
    assert not any((m.get("custom") or {}).get("handoff") for m in messages)


def test_a_locked_identity_hands_over_with_a_ticket(shop_db: sessionmaker) -> None:
    slots = {"identity_locked": True, "identity_failures": 3}
    messages, events = run_action(ActionCancelOrder(), make_tracker(slots, sender="conv-lock"))
    [ticket] = tickets(shop_db)
    assert ticket.kind == "handoff" and ticket.facts["reason"] == "identity"
    assert ticket.priority == 1 and ticket.order_id is None
    assert handoff_of(messages) | {"ticket": None} == {
        "reason": "identity",
        "ticket": None,
        "intent": "inform",
        "confidence": 0.97,
        "verified": False,
        "order_number": None,
        "decision": None,
    }
    assert paused(events)


@pytest.mark.parametrize("action", [ActionTrackOrder(), ActionCancelOrder(), ActionReturnItem()])
def test_database_down_gets_a_polite_answer_and_no_personal_data_in_logs(
    action: ActionTrackOrder,
    tmp_path,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from shop import assistant

    monkeypatch.setenv("SHOP_DATABASE_URL", f"sqlite:///{tmp_path}/missing/dir/shop.db")
    assistant.context_from_env.cache_clear()
    email = "claire.martin@gmail.com"
    try:
        messages, events = run_action(action, make_tracker(verified("482913", email)))
    finally:
        assistant.context_from_env.cache_clear()
    assert messages == [{**messages[0], "response": "utter_technical_problem"}]
    assert slot_events(events) == {"pending_confirmation": None}
    assert email not in caplog.text and "482913" not in caplog.text
    assert action.name() in caplog.text


def test_a_slow_action_answers_within_its_time_limit(
    shop_db: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from shop import assistant

    def slow_tracking(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(1.0)

    monkeypatch.setenv("ACTION_TIMEOUT_S", "0.1")
    monkeypatch.setattr(assistant, "answer_tracking", slow_tracking)
    demo = DEMO_ORDERS["shipped_on_time"]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(verified(demo.number, demo.email))
    loop = asyncio.new_event_loop()  # closed without joining the sleeping worker thread
    started = time.perf_counter()
    loop.run_until_complete(ActionTrackOrder().run(dispatcher, tracker, DOMAIN))
    elapsed = time.perf_counter() - started
    loop.close()
    assert elapsed < 0.9
    assert dispatcher.messages[0]["response"] == "utter_technical_problem"


def test_a_handoff_while_the_database_is_down_is_kept_and_becomes_a_ticket_later(
    shop_db: sessionmaker,
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    from shop import assistant

    good_url = str(shop_db.kw["bind"].url)
    monkeypatch.setenv("SHOP_DATABASE_URL", f"sqlite:///{tmp_path}/missing/dir/shop.db")
    assistant.context_from_env.cache_clear()
    messages, _ = run_action(ActionHumanHandoff(), make_tracker(sender="conv-down"))
    assert "bien enregistrée" in text_of(messages)
    assert tickets(shop_db) == []

    monkeypatch.setenv("SHOP_DATABASE_URL", good_url)
    assistant.context_from_env.cache_clear()
    demo = DEMO_ORDERS["shipped_on_time"]
    run_action(ActionTrackOrder(), make_tracker(verified(demo.number, demo.email)))
    [ticket] = tickets(shop_db)
    assert ticket.kind == "handoff" and ticket.conversation_id == "conv-down"
    assert ticket.facts["spooled"] is True
    assert not assistant.has_kept_requests()
