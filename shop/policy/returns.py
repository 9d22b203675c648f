"""May these items be sent back? The withdrawal window, counted per line from its delivery.

Window definition (shop-local calendar dates): the delivery day is day 0, so with a 14-day window
a parcel delivered on 1 March can be returned up to and including 15 March (day 14), and no
longer on 16 March (day 15). Each line is judged on the delivery date of its own shipment, so a
partly delivered order gets a precise answer per item. A "delivered" order without a delivery
date is never guessed: a person checks it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from shop.kinds import OrderStatus, Outcome, Topic
from shop.policy.decision import Decision
from shop.policy.profile import ShopProfile
from shop.policy.views import LineView, OrderView, order_view

TOPIC = Topic.RETURN
REASON_CODES = frozenset(
    {
        "all_eligible",
        "partly_eligible",
        "none_eligible",
        "not_delivered_yet",
        "missing_delivery_date",
        "already_returned",
        "order_cancelled",
    }
)
LINE_REASONS = frozenset(
    {"ok", "engraved", "made_to_measure", "earrings_hygiene", "window_passed", "not_delivered_yet"}
)


def line_delivery_date(line: LineView, profile: ShopProfile) -> date | None:
    """Shop-local date the line's parcel was delivered, or None if not (known to be) delivered."""
    shipment = line.shipment
    if shipment is None or shipment.delivered_at is None:
        return None
    return profile.local_date(shipment.delivered_at)


def window_end(delivered_on: date, profile: ShopProfile) -> date:
    """Last shop-local date inside the withdrawal window (delivery day = day 0)."""
    return delivered_on + timedelta(days=profile.returns.window_days)


def is_within_window(delivered_on: date, profile: ShopProfile, now: datetime) -> bool:
    return profile.local_date(now) <= window_end(delivered_on, profile)


def decide_return(order: OrderView, profile: ShopProfile, now: datetime) -> Decision:
    order = order_view(order)
    status = order.status
    policy = profile.returns
    clause = profile.clause("return_policy.window_days", policy.clause)
    facts: dict[str, Any] = {
        "order_number": order.number,
        "status": status.value,
        "window_days": policy.window_days,
        "shipping_paid_by": policy.shipping_paid_by,
        "conditions": list(policy.conditions),
        "steps": list(policy.steps),
        "refund_delay_min": profile.refund.delay.min,
        "refund_delay_max": profile.refund.delay.max,
        "refund_delay_unit": profile.refund.delay.unit,
        "lines": [],
    }
    if status == OrderStatus.CANCELLED:
        return Decision(TOPIC, Outcome.REFUSED, "order_cancelled", clause, facts)
    if status in (OrderStatus.RETURNED, OrderStatus.REFUNDED):
        return Decision(TOPIC, Outcome.REFUSED, "already_returned", clause, facts)
    if status not in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        return Decision(TOPIC, Outcome.REFUSED, "not_delivered_yet", clause, facts)

    undated = [line for line in order.lines if _missing_date(line, status)]
    if undated:
        facts["lines_without_date"] = [{"line_id": ln.id, "title": ln.title} for ln in undated]
        return Decision(
            TOPIC, Outcome.ESCALATE, "missing_delivery_date", clause, facts, needs_human=True
        )

    lines = [_judge_line(line, profile, now) for line in order.lines]
    facts["lines"] = lines
    if all(item["reason"] == "not_delivered_yet" for item in lines):
        return Decision(TOPIC, Outcome.REFUSED, "not_delivered_yet", clause, facts)
    eligible = [item for item in lines if item["eligible"]]
    if not eligible:
        return Decision(TOPIC, Outcome.REFUSED, "none_eligible", clause, facts)
    if len(eligible) == len(lines):
        return Decision(TOPIC, Outcome.ALLOWED, "all_eligible", clause, facts)
    return Decision(TOPIC, Outcome.PARTLY_ALLOWED, "partly_eligible", clause, facts)


def _missing_date(line: LineView, status: OrderStatus) -> bool:
    """An order marked delivered whose shipped line has no delivery date: do not guess."""
    return (
        status == OrderStatus.DELIVERED
        and line.shipment is not None
        and line.shipment.delivered_at is None
    )


def judge_line(line: LineView, profile: ShopProfile, now: datetime) -> tuple[bool, str]:
    """(eligible, reason) for one line; earrings_hygiene is eligible only if never opened."""
    policy = profile.returns
    delivered_on = line_delivery_date(line, profile)
    if delivered_on is None:
        return False, "not_delivered_yet"
    if line.engraved and "engraved" in policy.excluded_flags:
        return False, "engraved"
    if line.made_to_measure and "made_to_measure" in policy.excluded_flags:
        return False, "made_to_measure"
    if not is_within_window(delivered_on, profile, now):
        return False, "window_passed"
    if line.kind in policy.unopened_only_kinds:
        return True, "earrings_hygiene"
    return True, "ok"


def _judge_line(line: LineView, profile: ShopProfile, now: datetime) -> dict[str, Any]:
    eligible, reason = judge_line(line, profile, now)
    delivered_on = line_delivery_date(line, profile)
    return {
        "line_id": line.id,
        "title": line.title,
        "kind": line.kind.value,
        "eligible": eligible,
        "reason": reason,
        "only_if_unopened": reason == "earrings_hygiene",
        "delivered_on": delivered_on.isoformat() if delivered_on else None,
        "window_end": window_end(delivered_on, profile).isoformat() if delivered_on else None,
    }
