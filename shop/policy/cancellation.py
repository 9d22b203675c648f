"""Can this order still be cancelled? The shop's cut-off hour decides, in the shop's timezone.

The cut-off is computed from the placement time: before the profile's ``cutoff`` hour, the
order can be cancelled until that hour the same day; at or after it, until ``next_day_cutoff``
the next day when the shop has one (otherwise the cut-off has already passed). "Before" is
strict: with a 13:00 cut-off, 12:59:59 is in time and 13:00:00 is not.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shop.clock import as_utc
from shop.kinds import OrderStatus, Outcome, PaymentMethod, Topic
from shop.policy.decision import Decision
from shop.policy.profile import ShopProfile
from shop.policy.views import OrderView, order_view

TOPIC = Topic.CANCELLATION
REASON_CODES = frozenset(
    {
        "before_cutoff",
        "cutoff_passed",
        "cutoff_passed_check_needed",
        "already_shipped",
        "already_delivered",
        "already_cancelled",
        "already_returned",
    }
)

PRE_SHIPPING = frozenset(
    {
        OrderStatus.AWAITING_PAYMENT,
        OrderStatus.PAYMENT_AUTHORISED,
        OrderStatus.BEING_PROCESSED,
        OrderStatus.BEING_PREPARED,
        OrderStatus.READY_TO_SHIP,
    }
)
# Not prepared yet: after the cut-off a person can still check whether it can be stopped.
NOT_YET_PREPARED = frozenset(
    {OrderStatus.AWAITING_PAYMENT, OrderStatus.PAYMENT_AUTHORISED, OrderStatus.BEING_PROCESSED}
)
INSTALMENTS = frozenset({PaymentMethod.INSTALMENTS_3X, PaymentMethod.INSTALMENTS_4X})


def cancellation_cutoff(placed_at: datetime, profile: ShopProfile) -> datetime:
    """First instant (UTC) at which an order placed at ``placed_at`` can no longer be cancelled."""
    policy = profile.cancellation
    placed_local = profile.local(placed_at)
    placed_day = placed_local.date()
    if placed_local.time().replace(tzinfo=None) < policy.cutoff or policy.next_day_cutoff is None:
        return profile.at_local(placed_day, policy.cutoff)
    return profile.at_local(placed_day + timedelta(days=1), policy.next_day_cutoff)


def decide_cancellation(order: OrderView, profile: ShopProfile, now: datetime) -> Decision:
    order = order_view(order)
    status = order.status
    cutoff = cancellation_cutoff(order.placed_at, profile)
    facts = _facts(order, profile, status, cutoff)
    clause = profile.clause("cancellation.cutoff", profile.cancellation.clause)

    if status == OrderStatus.CANCELLED:
        return Decision(TOPIC, Outcome.ALREADY_CANCELLED, "already_cancelled", clause, facts)
    if status in (OrderStatus.RETURNED, OrderStatus.REFUNDED):
        return Decision(TOPIC, Outcome.REFUSED, "already_returned", clause, facts)
    if status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        reason = "already_shipped" if status == OrderStatus.SHIPPED else "already_delivered"
        return Decision(TOPIC, Outcome.REFUSED, reason, clause, facts)
    if as_utc(now) < cutoff:
        return Decision(TOPIC, Outcome.ALLOWED, "before_cutoff", clause, facts)
    if status in NOT_YET_PREPARED:
        return Decision(
            TOPIC, Outcome.ESCALATE, "cutoff_passed_check_needed", clause, facts, needs_human=True
        )
    return Decision(TOPIC, Outcome.REFUSED, "cutoff_passed", clause, facts)


def _facts(
    order: OrderView, profile: ShopProfile, status: OrderStatus, cutoff: datetime
) -> dict[str, Any]:
    refund = profile.refund
    payment = order.payment_method
    return {
        "order_number": order.number,
        "status": status.value,
        "placed_at": as_utc(order.placed_at).isoformat(),
        "cutoff": cutoff.isoformat(),
        "payment_method": payment.value,
        "instalments": payment in INSTALMENTS,
        "total_cents": order.total_cents,
        "refund_delay_min": refund.delay.min,
        "refund_delay_max": refund.delay.max,
        "refund_delay_unit": refund.delay.unit,
        "handling_hours": profile.cancellation.handling_hours,
        "withdrawal_days": profile.returns.window_days,
        "return_shipping_paid_by": profile.returns.shipping_paid_by,
    }
