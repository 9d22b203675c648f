"""Shopify's Admin REST ``Order`` and ``Fulfillment`` as its webhooks send them, mapped.

``orders/create``, ``orders/updated`` and ``orders/cancelled`` carry the whole order;
``fulfillments/create`` and ``fulfillments/update`` carry one fulfilment with its order's id.
Shopify has no single order status: the status key is the first fact that holds among the
cancellation, the financial status, the fulfilments' delivery and the fulfilment status (the
order is written in ``mappings.yml``). A fulfilment without a tracking number is no parcel the
assistant can follow: it is left out, and the order's notes say so.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

from pydantic import ValidationError

from shop.kinds import OrderStatus, ProductKind
from shop.sources.mappings import PlatformMappings, unmapped_payment
from shop.sources.record import (
    Platform,
    SourceCustomer,
    SourceDiscount,
    SourceError,
    SourceFulfilment,
    SourceLine,
    SourceOrder,
    SourceShipment,
    build_line,
    build_order,
    reasons,
    refusing,
)
from shop.sources.values import (
    cents,
    field,
    items,
    mapping,
    optional_cents,
    optional_timestamp,
    quantity,
    text,
    timestamp,
)

DISCOUNT_KINDS = {"percentage": "percent", "fixed_amount": "amount", "shipping": "shipping"}
FINAL_FINANCIAL = frozenset({"refunded", "voided"})
LIVE_FULFILMENT = frozenset({"success", "open", "pending"})  # not cancelled, error or failure
RING_SIZE = re.compile(r"^\d{2}(?:[.,]5)?$")


def status_key(
    *,
    cancelled: bool,
    financial_status: str | None,
    fulfillment_status: str | None,
    every_parcel_delivered: bool,
) -> str:
    """The fact that decides the order's status, as ``mappings.yml`` names it."""
    financial = (financial_status or "").strip().lower()
    fulfilment = (fulfillment_status or "").strip().lower()
    if cancelled:
        return "cancelled"
    if financial in FINAL_FINANCIAL:
        return f"financial:{financial}"
    if fulfilment == "fulfilled" and every_parcel_delivered:
        return "shipment:delivered"
    if fulfilment in ("fulfilled", "partial"):
        return f"fulfillment:{fulfilment}"
    return f"financial:{financial or 'missing'}"


@refusing
def order_from_shopify(payload: Mapping[str, Any], mappings: PlatformMappings) -> SourceOrder:
    """The ``SourceOrder`` of an ``orders/*`` webhook body; ``SourceError`` when malformed."""
    if not isinstance(payload, Mapping):
        raise SourceError("the body is not a JSON object")
    order_id = str(field(payload, "id"))
    customer = mapping(payload, "customer")
    shipping = mapping(payload, "shipping_address")
    email = payload.get("email") or payload.get("contact_email") or customer.get("email")
    if not email:
        raise SourceError("email: missing (the order has no customer e-mail)")
    lines = tuple(_line(item, mappings) for item in items(payload, "line_items"))
    fulfilments = [
        f
        for f in items(payload, "fulfillments")
        if str(f.get("status", "success")) in LIVE_FULFILMENT
    ]
    notes: list[str] = []
    shipments = []
    for fulfilment in fulfilments:
        shipment, note = _shipment(fulfilment, mappings)
        if shipment is not None:
            shipments.append(shipment)
        if note:
            notes.append(note)
    delivered = bool(fulfilments) and all(
        str(f.get("shipment_status") or "").lower() == "delivered" for f in fulfilments
    )
    key = status_key(
        cancelled=bool(payload.get("cancelled_at")),
        financial_status=payload.get("financial_status"),
        fulfillment_status=payload.get("fulfillment_status"),
        every_parcel_delivered=delivered,
    )
    gateways = payload.get("payment_gateway_names") or [payload.get("gateway") or ""]
    gateway = text(gateways[0]) if isinstance(gateways, list) and gateways else ""
    payment = mappings.payment_method(gateway) if gateway else None
    if payment is None:
        raise SourceError(unmapped_payment("payment_gateway_names", gateway))
    shipping_lines = items(payload, "shipping_lines")
    carrier_name = (
        shipping_lines[0].get("title") or shipping_lines[0].get("code") if shipping_lines else None
    ) or (fulfilments[0].get("tracking_company") if fulfilments else None)
    return build_order(
        platform=Platform.SHOPIFY,
        platform_order_id=order_id,
        number=str(payload.get("order_number") or field(payload, "name")),
        reference=text(payload.get("name")) or f"#{payload.get('order_number')}",
        customer=SourceCustomer(
            email=str(email),
            first_name=text(customer.get("first_name") or shipping.get("first_name")),
            last_name=text(customer.get("last_name") or shipping.get("last_name")),
            postal_code=text(shipping.get("zip")) or None,
        ),
        created_at=timestamp(field(payload, "created_at"), "created_at"),
        updated_at=timestamp(field(payload, "updated_at"), "updated_at"),
        raw_status=key,
        status=mappings.status(key),
        cancelled_at=optional_timestamp(payload.get("cancelled_at"), "cancelled_at"),
        payment_method=payment,
        raw_payment_method=gateway,
        total_cents=cents(field(payload, "total_price"), "total_price"),
        shipping_cents=_shipping_cents(payload, shipping_lines),
        shipping_country=text(shipping.get("country_code")) or mappings.default_country,
        carrier=mappings.carrier(carrier_name),
        lines=lines,
        shipments=tuple(shipments),
        discounts=tuple(
            SourceDiscount(
                code=text(field(code, "code")).upper(),
                amount_cents=optional_cents(code.get("amount"), "discount_codes.amount"),
                kind=DISCOUNT_KINDS.get(str(code.get("type")), str(code.get("type") or "amount")),
            )
            for code in items(payload, "discount_codes")
        ),
        notes=tuple(notes),
    )


@refusing
def fulfilment_from_shopify(
    payload: Mapping[str, Any], mappings: PlatformMappings
) -> SourceFulfilment:
    """The parcel of a ``fulfillments/*`` webhook body; ``SourceError`` when malformed."""
    if not isinstance(payload, Mapping):
        raise SourceError("the body is not a JSON object")
    order_id = str(field(payload, "order_id"))
    field(payload, "id")
    if str(payload.get("status", "success")) not in LIVE_FULFILMENT:
        skipped = f"fulfilment {payload['id']} is {payload.get('status')}: no parcel to follow"
        return SourceFulfilment(
            platform=Platform.SHOPIFY, platform_order_id=order_id, shipment=None, note=skipped
        )
    shipment, note = _shipment(payload, mappings)
    return SourceFulfilment(
        platform=Platform.SHOPIFY, platform_order_id=order_id, shipment=shipment, note=note
    )


def status_key_from_store(
    current_key: str | None, every_line_shipped: bool, every_parcel_delivered: bool
) -> str | None:
    """The status key once a fulfilment event changed the parcels (None: leave the status).

    Only an order still waiting for or in its fulfilment moves; a cancelled or refunded one
    keeps its status whatever a parcel event says."""
    if current_key is None or not (
        current_key.startswith("fulfillment:")
        or current_key == "shipment:delivered"
        or (current_key.startswith("financial:") and current_key[10:] not in FINAL_FINANCIAL)
    ):
        return None
    return status_key(
        cancelled=False,
        financial_status=None,
        fulfillment_status="fulfilled" if every_line_shipped else "partial",
        every_parcel_delivered=every_parcel_delivered,
    )


def restatus_with(
    mappings: PlatformMappings,
) -> Callable[[str | None, bool, bool], tuple[str, OrderStatus | None] | None]:
    """``ingest_fulfilment``'s ``restatus`` for a shop's Shopify mappings."""

    def restatus(
        current_key: str | None, every_line_shipped: bool, every_parcel_delivered: bool
    ) -> tuple[str, OrderStatus | None] | None:
        key = status_key_from_store(current_key, every_line_shipped, every_parcel_delivered)
        return None if key is None else (key, mappings.status(key))

    return restatus


def _line(item: Mapping[str, Any], mappings: PlatformMappings) -> SourceLine:
    title = text(item.get("title") or item.get("name"))
    properties = [
        (str(p.get("name", "")), p.get("value"))
        for p in item.get("properties") or []
        if isinstance(p, Mapping)
    ]
    facts = mappings.line_facts(title, properties)
    kind = mappings.product_kind(title)
    variant = text(item.get("variant_title"))
    size = facts.size or (
        variant if kind == ProductKind.RING and RING_SIZE.match(variant) else None
    )
    return build_line(
        "line_items",
        platform_line_id=str(field(item, "id")),
        sku=text(item.get("sku")),
        title=title,
        kind=kind,
        size=size,
        quantity=quantity(field(item, "quantity"), "line_items.quantity"),
        unit_price_cents=cents(field(item, "price"), "line_items.price"),
        engraved=facts.engraved,
        made_to_measure=facts.made_to_measure,
    )


def _shipment(
    fulfilment: Mapping[str, Any], mappings: PlatformMappings
) -> tuple[SourceShipment | None, str | None]:
    fulfilment_id = str(field(fulfilment, "id"))
    numbers = fulfilment.get("tracking_numbers") or []
    tracking = text(fulfilment.get("tracking_number") or (numbers[0] if numbers else ""))
    if not tracking:
        return None, f"fulfilment {fulfilment_id} has no tracking number: no parcel stored"
    updated_at = timestamp(
        fulfilment.get("updated_at") or field(fulfilment, "created_at"), "fulfillments.updated_at"
    )
    delivered = str(fulfilment.get("shipment_status") or "").lower() == "delivered"
    try:
        shipment = SourceShipment(
            platform_shipment_id=fulfilment_id,
            carrier=mappings.carrier(fulfilment.get("tracking_company")),
            tracking_number=tracking,
            shipped_at=timestamp(field(fulfilment, "created_at"), "fulfillments.created_at"),
            delivered_at=updated_at if delivered else None,
            updated_at=updated_at,
            line_ids=tuple(str(field(line, "id")) for line in items(fulfilment, "line_items")),
        )
    except ValidationError as error:
        raise SourceError(f"fulfillments: {reasons(error)}") from None
    return shipment, None


def _shipping_cents(payload: Mapping[str, Any], shipping_lines: list[Mapping[str, Any]]) -> int:
    money = mapping(mapping(payload, "total_shipping_price_set"), "shop_money")
    if money.get("amount") is not None:
        return cents(money["amount"], "total_shipping_price_set")
    return sum(optional_cents(line.get("price"), "shipping_lines.price") for line in shipping_lines)
