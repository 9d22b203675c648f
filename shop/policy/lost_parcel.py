"""My parcel has not arrived: wait, or open a carrier inquiry with what the shopper must send.

A parcel still inside its carrier's expected window is simply awaited. A late parcel, or one
marked delivered that the shopper did not receive, goes to a person: the carrier inquiry takes the
profile's number of days, multiplied outside the EU, and ends in a refund or a reshipment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shop.kinds import OrderStatus, Outcome, Topic
from shop.policy.decision import Decision
from shop.policy.profile import ShopProfile, is_eu
from shop.policy.tracking import expected_window, is_late
from shop.policy.views import OrderView, ShipmentView, order_view

TOPIC = Topic.LOST_PARCEL
REASON_CODES = frozenset(
    {
        "not_shipped",
        "within_expected_delay",
        "late_in_transit",
        "delivered_not_received",
        "order_closed",
        "missing_tracking",
    }
)

NOT_SHIPPED = frozenset(
    {
        OrderStatus.AWAITING_PAYMENT,
        OrderStatus.PAYMENT_AUTHORISED,
        OrderStatus.BEING_PROCESSED,
        OrderStatus.BEING_PREPARED,
        OrderStatus.READY_TO_SHIP,
    }
)
CLOSED = frozenset({OrderStatus.CANCELLED, OrderStatus.RETURNED, OrderStatus.REFUNDED})


def inquiry_days(country: str, profile: ShopProfile) -> int:
    """How long the carrier inquiry lasts for a destination (longer outside the EU)."""
    rules = profile.lost_parcel
    return rules.inquiry_days * (1 if is_eu(country) else rules.non_eu_multiplier)


def decide_lost_parcel(order: OrderView, profile: ShopProfile, now: datetime) -> Decision:
    order = order_view(order)
    rules = profile.lost_parcel
    status = order.status
    clause = profile.clause("lost_parcel", rules.clause)
    facts: dict[str, Any] = {"order_number": order.number, "status": status.value}

    if status in CLOSED:
        return Decision(TOPIC, Outcome.NOT_APPLICABLE, "order_closed", clause, facts)
    if status in NOT_SHIPPED:
        return Decision(TOPIC, Outcome.NOT_SHIPPED, "not_shipped", clause, facts)
    if not order.shipments:
        return Decision(TOPIC, Outcome.INQUIRY, "missing_tracking", clause, facts, needs_human=True)

    shipment = _concerned_shipment(order, profile, now)
    facts.update(_shipment_facts(shipment, profile))
    in_transit = status == OrderStatus.SHIPPED and shipment.delivered_at is None
    if in_transit and not is_late(shipment, profile, now):
        return Decision(TOPIC, Outcome.WAIT, "within_expected_delay", clause, facts)

    facts.update(_inquiry_facts(shipment, profile))
    reason = "late_in_transit" if in_transit else "delivered_not_received"
    return Decision(TOPIC, Outcome.INQUIRY, reason, clause, facts, needs_human=True)


def _concerned_shipment(order: OrderView, profile: ShopProfile, now: datetime) -> ShipmentView:
    """The late shipment if any, else the latest one (the parcel the shopper is waiting for)."""
    late: ShipmentView | None = next((s for s in order.shipments if is_late(s, profile, now)), None)
    return late or max(order.shipments, key=lambda s: s.shipped_at)


def _shipment_facts(shipment: ShipmentView, profile: ShopProfile) -> dict[str, Any]:
    carrier = profile.carrier(shipment.carrier)
    window = expected_window(shipment, profile)
    return {
        "carrier_label": carrier.label if carrier else shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "tracking_url": carrier.tracking_link(shipment.tracking_number) if carrier else None,
        "shipped_on": profile.local_date(shipment.shipped_at).isoformat(),
        "expected_by": window[1].isoformat() if window else None,
        "delivered_on": (
            profile.local_date(shipment.delivered_at).isoformat() if shipment.delivered_at else None
        ),
        "destination_country": shipment.destination_country or "FR",
    }


def _inquiry_facts(shipment: ShipmentView, profile: ShopProfile) -> dict[str, Any]:
    rules = profile.lost_parcel
    country = shipment.destination_country or "FR"
    return {
        "inside_eu": is_eu(country),
        "inquiry_days": inquiry_days(country, profile),
        "documents": list(rules.documents),
        "checklist": list(rules.checklist),
        "outcomes": list(rules.outcomes),
    }
