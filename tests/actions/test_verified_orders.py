"""The verified-order base: every journey about an order refuses to look until the identity
check accepted the pair, and the action server registers the journeys, never the base."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import ActionExecutor
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from actions.delivery import ActionLostParcel
from actions.orders import ActionCancelOrder, ActionTrackOrder
from actions.returns import ActionReturnItem
from actions.sizing import ActionResizeItem
from actions.verified import VerifiedOrderAction
from shop.store.demo import DEMO_ORDERS
from shop.store.models import Ticket
from tests.actions.conftest import DOMAIN, make_tracker, run_action, slot_events, text_of

ORDER_ACTIONS: list[VerifiedOrderAction] = [
    ActionCancelOrder(),
    ActionTrackOrder(),
    ActionReturnItem(),
    ActionLostParcel(),
    ActionResizeItem(),
]


def test_the_action_server_registers_exactly_the_domains_actions() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(executor.actions) == set(DOMAIN["actions"])
    assert {action.name() for action in ORDER_ACTIONS} <= set(executor.actions)


@pytest.mark.parametrize("action", ORDER_ACTIONS, ids=lambda action: action.name())
def test_an_order_journey_without_a_verified_pair_shows_nothing_and_forgets_nothing(
    shop_db: sessionmaker, action: VerifiedOrderAction
) -> None:
    demo = DEMO_ORDERS["delivered_recent_ring"]
    slots = {
        "order_number": demo.number,
        "order_email": demo.email,  # given, never accepted by the identity check
        "product_kind": "ring",
        "ring_size": "56",
    }
    messages, events = run_action(action, make_tracker(slots))
    assert demo.number not in text_of(messages)
    assert "Parler à un conseiller" in [b["title"] for m in messages for b in m["buttons"] or []]
    assert slot_events(events) == {"pending_confirmation": None}
    with shop_db() as session:
        assert session.execute(select(func.count(Ticket.id))).scalar_one() == 0
