"""Cancellation cut-offs: 13:00 same day (Bijou Éclat), 15:00 / next-day noon (Maison Ocre)."""

from __future__ import annotations

import pytest

from shop.policy.cancellation import decide_cancellation
from shop.policy.profile import ShopProfile
from shop.store.models import OrderStatus, PaymentMethod
from tests.unit.conftest import build_order, paris

PREPARING = OrderStatus.BEING_PREPARED


def test_cancel_allowed_at_1259_same_day(bijou: ShopProfile) -> None:
    order = build_order(PREPARING, paris(2025, 11, 24, 10))
    decision = decide_cancellation(order, bijou, paris(2025, 11, 24, 12, 59))
    assert (decision.outcome, decision.reason_code) == ("allowed", "before_cutoff")
    assert decision.facts["cutoff"] == "2025-11-24T12:00:00+00:00"


def test_cancel_refused_after_1300_same_day(bijou: ShopProfile) -> None:
    order = build_order(OrderStatus.READY_TO_SHIP, paris(2025, 11, 24, 10))
    decision = decide_cancellation(order, bijou, paris(2025, 11, 24, 13, 0))
    assert (decision.outcome, decision.reason_code) == ("refused", "cutoff_passed")
    assert not decision.needs_human


def test_cancel_cutoff_follows_paris_summer_time(bijou: ShopProfile) -> None:
    order = build_order(PREPARING, paris(2025, 7, 15, 9))
    assert decide_cancellation(order, bijou, paris(2025, 7, 15, 12, 59)).outcome == "allowed"
    late = decide_cancellation(order, bijou, paris(2025, 7, 15, 13, 0))
    assert late.reason_code == "cutoff_passed"
    assert late.facts["cutoff"] == "2025-07-15T11:00:00+00:00"


def test_order_placed_after_1300_is_already_past_bijou_cutoff(bijou: ShopProfile) -> None:
    order = build_order(PREPARING, paris(2025, 11, 24, 14))
    assert decide_cancellation(order, bijou, paris(2025, 11, 24, 14, 5)).outcome == "refused"


def test_not_prepared_order_after_cutoff_goes_to_a_person(bijou: ShopProfile) -> None:
    order = build_order(OrderStatus.PAYMENT_AUTHORISED, paris(2025, 11, 20, 10))
    decision = decide_cancellation(order, bijou, paris(2025, 11, 24, 10))
    assert decision.reason_code == "cutoff_passed_check_needed" and decision.needs_human


def test_ocre_order_before_1500_cancellable_until_1500(ocre: ShopProfile) -> None:
    order = build_order(PREPARING, paris(2025, 11, 24, 14, 59))
    assert decide_cancellation(order, ocre, paris(2025, 11, 24, 14, 59)).outcome == "allowed"
    assert decide_cancellation(order, ocre, paris(2025, 11, 24, 15, 0)).outcome == "refused"


def test_ocre_order_placed_at_1500_cancellable_until_noon_next_day(ocre: ShopProfile) -> None:
    order = build_order(PREPARING, paris(2025, 11, 24, 15, 0))
    allowed = decide_cancellation(order, ocre, paris(2025, 11, 25, 11, 59))
    assert allowed.outcome == "allowed"
    assert allowed.facts["cutoff"] == "2025-11-25T11:00:00+00:00"
    assert decide_cancellation(order, ocre, paris(2025, 11, 25, 12, 0)).outcome == "refused"


def test_ocre_next_day_noon_across_the_winter_time_change(ocre: ShopProfile) -> None:
    order = build_order(PREPARING, paris(2025, 10, 25, 18))  # clocks go back on 26 October
    decision = decide_cancellation(order, ocre, paris(2025, 10, 26, 11, 59))
    assert decision.outcome == "allowed"
    assert decision.facts["cutoff"] == "2025-10-26T11:00:00+00:00"


@pytest.mark.parametrize(
    ("status", "reason"),
    [(OrderStatus.SHIPPED, "already_shipped"), (OrderStatus.DELIVERED, "already_delivered")],
)
def test_shipped_or_delivered_order_is_refused_with_advice(
    bijou: ShopProfile, status: OrderStatus, reason: str
) -> None:
    order = build_order(status, paris(2025, 11, 24, 10))
    decision = decide_cancellation(order, bijou, paris(2025, 11, 24, 11))
    assert (decision.outcome, decision.reason_code) == ("refused", reason)
    assert decision.facts["withdrawal_days"] == 14


def test_already_cancelled_order_says_so(bijou: ShopProfile) -> None:
    order = build_order(OrderStatus.CANCELLED, paris(2025, 11, 24, 10))
    decision = decide_cancellation(order, bijou, paris(2025, 11, 24, 11))
    assert decision.outcome == "already_cancelled"


def test_instalment_payment_is_flagged_with_the_refund_delay(ocre: ShopProfile) -> None:
    order = build_order(
        OrderStatus.AWAITING_PAYMENT,
        paris(2025, 11, 24, 10),
        payment_method=PaymentMethod.INSTALMENTS_3X,
    )
    decision = decide_cancellation(order, ocre, paris(2025, 11, 24, 11))
    assert decision.facts["instalments"] is True
    assert (decision.facts["refund_delay_min"], decision.facts["refund_delay_max"]) == (7, 15)
    assert decision.facts["handling_hours"] == 48
    assert decision.clause.rule == "cancellation.cutoff"
