"""WooCommerce's REST v3 order, as its ``order.created`` and ``order.updated`` webhooks send it.

Times are read from the ``*_gmt`` fields (UTC without an offset); the status is the order's
slug (``processing``, or a shop's own such as ``en-gravure``). WooCommerce itself stores no
parcel: tracking numbers come from the WooCommerce Shipment Tracking extension's order meta
``_wc_shipment_tracking_items``, one parcel per item, holding every line.
"""

from __future__ import annotations

from typing import Any, Mapping

from pydantic import ValidationError

from shop.sources.mappings import PlatformMappings, unmapped_payment
from shop.sources.record import (
    Platform,
    SourceCustomer,
    SourceDiscount,
    SourceError,
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
    quantity,
    text,
    unix_or_utc_time,
    utc_wall_time,
)

TRACKING_META = "_wc_shipment_tracking_items"


@refusing
def order_from_woocommerce(payload: Mapping[str, Any], mappings: PlatformMappings) -> SourceOrder:
    """The ``SourceOrder`` of an ``order.*`` webhook body; ``SourceError`` when malformed."""
    if not isinstance(payload, Mapping):
        raise SourceError("the body is not a JSON object")
    order_id = str(field(payload, "id"))
    billing = mapping(payload, "billing")
    shipping = mapping(payload, "shipping")
    email = billing.get("email")
    if not email:
        raise SourceError("billing.email: missing (the order has no customer e-mail)")
    raw_status = text(field(payload, "status"))
    updated_at = utc_wall_time(field(payload, "date_modified_gmt"), "date_modified_gmt")
    gateway = text(payload.get("payment_method"))
    payment = mappings.payment_method(gateway) if gateway else None
    if payment is None and payload.get("payment_method_title"):
        payment = mappings.payment_method(str(payload["payment_method_title"]))
    if payment is None:
        raise SourceError(unmapped_payment("payment_method", gateway))
    lines = tuple(_line(item, mappings) for item in items(payload, "line_items"))
    shipping_lines = items(payload, "shipping_lines")
    carrier_name = shipping_lines[0].get("method_title") if shipping_lines else None
    number = text(payload.get("number")) or order_id
    return build_order(
        platform=Platform.WOOCOMMERCE,
        platform_order_id=order_id,
        number=number,
        reference=f"#{number}",
        customer=SourceCustomer(
            email=str(email),
            first_name=text(billing.get("first_name")),
            last_name=text(billing.get("last_name")),
            postal_code=text(shipping.get("postcode") or billing.get("postcode")) or None,
        ),
        created_at=utc_wall_time(field(payload, "date_created_gmt"), "date_created_gmt"),
        updated_at=updated_at,
        raw_status=raw_status,
        status=mappings.status(raw_status),
        payment_method=payment,
        raw_payment_method=gateway or text(payload.get("payment_method_title")),
        total_cents=cents(field(payload, "total"), "total"),
        shipping_cents=optional_cents(payload.get("shipping_total"), "shipping_total"),
        shipping_country=text(shipping.get("country") or billing.get("country"))
        or mappings.default_country,
        carrier=mappings.carrier(carrier_name),
        lines=lines,
        shipments=_shipments(payload, mappings, updated_at),
        discounts=tuple(
            SourceDiscount(
                code=text(field(coupon, "code")).upper(),
                amount_cents=optional_cents(coupon.get("discount"), "coupon_lines.discount"),
            )
            for coupon in items(payload, "coupon_lines")
        ),
    )


def meta_properties(meta: list[Mapping[str, Any]]) -> list[tuple[str, Any]]:
    """A line's meta data as (name, value) pairs, by key and by the label shoppers saw."""
    pairs: list[tuple[str, Any]] = []
    for entry in meta:
        value = entry.get("display_value", entry.get("value"))
        if isinstance(value, (dict, list)):
            continue
        for name in {str(entry.get("key", "")), str(entry.get("display_key", ""))} - {""}:
            pairs.append((name, value))
    return pairs


def _line(item: Mapping[str, Any], mappings: PlatformMappings) -> SourceLine:
    title = text(item.get("name"))
    facts = mappings.line_facts(title, meta_properties(items(item, "meta_data")))
    count = quantity(field(item, "quantity"), "line_items.quantity")
    price = item.get("price")
    unit_cents = (
        cents(price, "line_items.price")
        if price not in (None, "")
        else cents(field(item, "subtotal"), "line_items.subtotal") // count
    )
    return build_line(
        "line_items",
        platform_line_id=str(field(item, "id")),
        sku=text(item.get("sku")),
        title=title,
        kind=mappings.product_kind(title),
        size=facts.size,
        quantity=count,
        unit_price_cents=unit_cents,
        engraved=facts.engraved,
        made_to_measure=facts.made_to_measure,
    )


def _shipments(
    payload: Mapping[str, Any], mappings: PlatformMappings, updated_at: Any
) -> tuple[SourceShipment, ...]:
    tracked: list[SourceShipment] = []
    for entry in items(payload, "meta_data"):
        if entry.get("key") != TRACKING_META:
            continue
        value = entry.get("value") or []
        if not isinstance(value, list):
            raise SourceError(f"meta_data.{TRACKING_META}: a list was expected")
        for parcel in value:
            if not isinstance(parcel, Mapping):
                raise SourceError(f"meta_data.{TRACKING_META}: a list of objects was expected")
            carrier = parcel.get("tracking_provider") or parcel.get("custom_tracking_provider")
            try:
                tracked.append(
                    SourceShipment(
                        platform_shipment_id=str(
                            parcel.get("tracking_id") or field(parcel, "tracking_number")
                        ),
                        carrier=mappings.carrier(carrier),
                        tracking_number=text(field(parcel, "tracking_number")),
                        shipped_at=unix_or_utc_time(field(parcel, "date_shipped"), "date_shipped"),
                        updated_at=updated_at,
                    )
                )
            except ValidationError as error:
                raise SourceError(f"meta_data.{TRACKING_META}: {reasons(error)}") from None
    return tuple(tracked)
