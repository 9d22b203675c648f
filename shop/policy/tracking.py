"""Where is my order? Status in plain words, carrier, tracking links and the expected window.

The expected window is the shipment's local shipping date plus the carrier's delay for the
destination zone, in the shop's working days. A parcel is late once the shop-local date is after
the latest expected date. Two situations need a person: an order stuck "ready to ship" for more
than the profile's days, and a parcel past its latest expected date.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shop.clock import as_utc
from shop.kinds import OrderStatus, Outcome, Topic
from shop.policy.decision import Decision
from shop.policy.profile import ShopProfile, zone_of
from shop.policy.views import LineView, OrderView, ShipmentView, order_view

TOPIC = Topic.TRACKING
REASON_CODES = frozenset(
    {
        "awaiting_payment",
        "payment_authorised",
        "being_processed",
        "being_prepared",
        "ready_to_ship",
        "stuck_ready_to_ship",
        "in_transit",
        "delivery_late",
        "missing_tracking",
        "delivered",
        "returned",
        "refunded",
        "cancelled",
    }
)

ZONE_NAMES = {"france": "France", "europe": "Europe", "world": "reste du monde"}

_STATUS_REASONS = {
    OrderStatus.AWAITING_PAYMENT: "awaiting_payment",
    OrderStatus.PAYMENT_AUTHORISED: "payment_authorised",
    OrderStatus.BEING_PROCESSED: "being_processed",
    OrderStatus.BEING_PREPARED: "being_prepared",
    OrderStatus.DELIVERED: "delivered",
    OrderStatus.RETURNED: "returned",
    OrderStatus.REFUNDED: "refunded",
    OrderStatus.CANCELLED: "cancelled",
}


def expected_window(shipment: ShipmentView, profile: ShopProfile) -> tuple[date, date] | None:
    """Earliest and latest shop-local delivery dates of a shipment (None if carrier unknown)."""
    return profile.expected_delivery(
        shipment.carrier, shipment.destination_country or "FR", shipment.shipped_at
    )


def is_late(shipment: ShipmentView, profile: ShopProfile, now: datetime) -> bool:
    """Not delivered and the shop-local date is after the latest expected delivery date."""
    if shipment.delivered_at is not None:
        return False
    window = expected_window(shipment, profile)
    return window is not None and profile.local_date(now) > window[1]


def unshipped_lines(order: OrderView) -> list[LineView]:
    return [line for line in order.lines if line.shipment is None]


def describe_tracking(order: OrderView, profile: ShopProfile, now: datetime) -> Decision:
    order = order_view(order)
    status = order.status
    facts = _base_facts(order, profile, status, now)
    clause = profile.clause("carriers", _carriers_clause(order, profile))

    if status == OrderStatus.READY_TO_SHIP:
        return _ready_to_ship(profile, now, order, facts)
    if status == OrderStatus.SHIPPED:
        return _shipped(order, profile, now, facts, clause)
    return Decision(TOPIC, Outcome.INFO, _STATUS_REASONS[status], clause, facts)


def _ready_to_ship(
    profile: ShopProfile, now: datetime, order: OrderView, facts: dict[str, Any]
) -> Decision:
    stuck_days = profile.tracking.stuck_ready_to_ship_days
    clause = profile.clause("tracking.stuck_ready_to_ship_days", profile.tracking.clause)
    days = (profile.local_date(now) - profile.local_date(order.status_changed_at)).days
    facts = {**facts, "days_in_status": days, "stuck_days": stuck_days}
    if days > stuck_days:
        return Decision(
            TOPIC, Outcome.ESCALATE, "stuck_ready_to_ship", clause, facts, needs_human=True
        )
    return Decision(TOPIC, Outcome.INFO, "ready_to_ship", clause, facts)


def _shipped(
    order: OrderView, profile: ShopProfile, now: datetime, facts: dict[str, Any], clause: Any
) -> Decision:
    if not order.shipments:
        return Decision(
            TOPIC, Outcome.ESCALATE, "missing_tracking", clause, facts, needs_human=True
        )
    if any(is_late(shipment, profile, now) for shipment in order.shipments):
        return Decision(TOPIC, Outcome.ESCALATE, "delivery_late", clause, facts, needs_human=True)
    return Decision(TOPIC, Outcome.INFO, "in_transit", clause, facts)


def _base_facts(
    order: OrderView, profile: ShopProfile, status: OrderStatus, now: datetime
) -> dict[str, Any]:
    missing = unshipped_lines(order)
    shipments = [_shipment_facts(s, profile, now) for s in order.shipments]
    return {
        "order_number": order.number,
        "status": status.value,
        "status_changed_at": as_utc(order.status_changed_at).isoformat(),
        "shipments": shipments,
        "partly_shipped": bool(order.shipments) and bool(missing),
        "unshipped_lines": [{"line_id": line.id, "title": line.title} for line in missing],
    }


def _shipment_facts(shipment: ShipmentView, profile: ShopProfile, now: datetime) -> dict[str, Any]:
    carrier = profile.carrier(shipment.carrier)
    window = expected_window(shipment, profile)
    country = shipment.destination_country or "FR"
    return {
        "shipment_id": shipment.id,
        "carrier": shipment.carrier,
        "carrier_label": carrier.label if carrier else shipment.carrier,
        "carrier_phone": carrier.phone if carrier else None,
        "tracking_number": shipment.tracking_number,
        "tracking_url": carrier.tracking_link(shipment.tracking_number) if carrier else None,
        "destination_country": country,
        "zone": zone_of(country),
        "shipped_on": profile.local_date(shipment.shipped_at).isoformat(),
        "expected_from": window[0].isoformat() if window else None,
        "expected_by": window[1].isoformat() if window else None,
        "delivered_on": (
            profile.local_date(shipment.delivered_at).isoformat() if shipment.delivered_at else None
        ),
        "late": is_late(shipment, profile, now),
        "lines": [{"line_id": line.id, "title": line.title} for line in shipment.lines],
    }


def _carriers_clause(order: OrderView, profile: ShopProfile) -> str:
    keys = {s.carrier for s in order.shipments} or {order.carrier}
    parts = []
    for key in sorted(keys):
        carrier = profile.carrier(key)
        if carrier is None:
            continue
        delays = ", ".join(
            f"{ZONE_NAMES[zone]} {d.min}" + (f" à {d.max}" if d.max != d.min else "") + " j ouvrés"
            for zone, d in carrier.delivery_days.items()
        )
        parts.append(f"{carrier.label} : {delays}")
    return "Délais de livraison après expédition — " + ("; ".join(parts) or "transporteur inconnu")
