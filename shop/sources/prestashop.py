"""PrestaShop's webservice ``orders`` resource (``output_format=JSON``), mapped.

An order names its customer and carrier by id only: the caller fetches
``/api/customers/{id_customer}`` (for the e-mail) and may give the carrier's name from
``/api/carriers/{id_carrier}`` (without it, the carrier is ``prestashop carrier <id>``, which a
shop's carriers mapping names). Times are the shop's wall time (``2026-11-30 10:12:44``), read in
the shop's time zone. The status is ``current_state``, an order state id (``mappings.yml`` has
the default ones; a shop's own states are mapped by their id). An order with a
``shipping_number`` has one parcel holding every line; PrestaShop gives no shipping date, so
the parcel is dated by the order's last change when it is first seen, and delivered when the
state says so.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from shop.kinds import OrderStatus
from shop.sources.mappings import PlatformMappings, unmapped_payment
from shop.sources.record import (
    Platform,
    SourceCustomer,
    SourceError,
    SourceLine,
    SourceOrder,
    SourceShipment,
    build_line,
    build_order,
    refusing,
)
from shop.sources.values import cents, field, items, mapping, optional_cents, quantity, text
from shop.sources.values import timestamp as read_time

DEFAULT_ZONE = "Europe/Paris"
_ATTRIBUTE = re.compile(r"^\s*([^:]+?)\s*:\s*(.+?)\s*$")


def unwrap(payload: Mapping[str, Any], resource: str) -> Mapping[str, Any]:
    """``{"order": {...}}`` as the webservice answers, or the object itself."""
    if not isinstance(payload, Mapping):
        raise SourceError(f"the {resource} is not a JSON object")
    inner = payload.get(resource)
    return inner if isinstance(inner, Mapping) else payload


@refusing
def order_from_prestashop(
    payload: Mapping[str, Any],
    customer_payload: Mapping[str, Any] | None,
    mappings: PlatformMappings,
    *,
    carrier_name: str | None = None,
    local_zone: str = DEFAULT_ZONE,
) -> SourceOrder:
    """The ``SourceOrder`` of ``/api/orders/{id}`` with its customer; ``SourceError`` if not."""
    order = unwrap(payload, "order")
    order_id = str(field(order, "id"))
    if customer_payload is None:
        raise SourceError(
            f"order {order_id}: its customer is needed for the e-mail "
            f"(/api/customers/{order.get('id_customer')})"
        )
    customer = unwrap(customer_payload, "customer")
    if str(customer.get("id", order.get("id_customer"))) != str(order.get("id_customer")):
        raise SourceError(
            f"order {order_id} belongs to customer {order.get('id_customer')}, "
            f"not to customer {customer.get('id')}"
        )
    raw_status = str(field(order, "current_state"))
    status = mappings.status(raw_status)
    updated_at = read_time(field(order, "date_upd"), "date_upd", local_zone=local_zone)
    module, name = text(order.get("module")), text(order.get("payment"))
    payment = (mappings.payment_method(module) if module else None) or (
        mappings.payment_method(name) if name else None
    )
    if payment is None:
        raise SourceError(unmapped_payment("module", module or name))
    rows = items(mapping(order, "associations"), "order_rows")
    reference = text(field(order, "reference"))
    tracking = text(order.get("shipping_number"))
    shipments: tuple[SourceShipment, ...] = ()
    if tracking:
        shipments = (
            SourceShipment(
                platform_shipment_id=f"{order_id}:{tracking}",
                carrier=mappings.carrier(
                    carrier_name or f"prestashop carrier {order.get('id_carrier')}"
                ),
                tracking_number=tracking,
                shipped_at=updated_at,
                delivered_at=updated_at if status == OrderStatus.DELIVERED else None,
                updated_at=updated_at,
            ),
        )
    return build_order(
        platform=Platform.PRESTASHOP,
        platform_order_id=order_id,
        number=reference,
        reference=reference,
        customer=SourceCustomer(
            email=str(field(customer, "email")),
            first_name=text(customer.get("firstname")),
            last_name=text(customer.get("lastname")),
        ),
        created_at=read_time(field(order, "date_add"), "date_add", local_zone=local_zone),
        updated_at=updated_at,
        raw_status=raw_status,
        status=status,
        payment_method=payment,
        raw_payment_method=module or name,
        total_cents=cents(
            order.get("total_paid_tax_incl") or field(order, "total_paid"), "total_paid"
        ),
        shipping_cents=optional_cents(
            order.get("total_shipping_tax_incl") or order.get("total_shipping"), "total_shipping"
        ),
        shipping_country=mappings.default_country,
        carrier=mappings.carrier(carrier_name or f"prestashop carrier {order.get('id_carrier')}"),
        lines=tuple(_line(row, mappings) for row in rows),
        shipments=shipments,
    )


def name_attributes(product_name: str) -> list[tuple[str, str]]:
    """``"Bague Lina - Taille : 54, Gravure : Léa"`` → ``[("Taille", "54"), ("Gravure", "Léa")]``:
    PrestaShop writes a combination's attributes into the line's name."""
    if " - " not in product_name:
        return []
    pairs = []
    for part in product_name.split(" - ", 1)[1].split(","):
        match = _ATTRIBUTE.match(part)
        if match:
            pairs.append((match.group(1), match.group(2)))
    return pairs


def _line(row: Mapping[str, Any], mappings: PlatformMappings) -> SourceLine:
    title = text(field(row, "product_name"))
    facts = mappings.line_facts(title, name_attributes(title))
    unit = cents(field(row, "unit_price_tax_incl"), "order_rows.unit_price_tax_incl")
    before = optional_cents(row.get("product_price"), "order_rows.product_price")
    after_tax_excluded = optional_cents(
        row.get("unit_price_tax_excl"), "order_rows.unit_price_tax_excl"
    )
    return build_line(
        "order_rows",
        platform_line_id=str(field(row, "id")),
        sku=text(row.get("product_reference")),
        title=title.split(" - ", 1)[0] if name_attributes(title) else title,
        kind=mappings.product_kind(title),
        size=facts.size,
        quantity=quantity(field(row, "product_quantity"), "order_rows.product_quantity"),
        unit_price_cents=unit,
        engraved=facts.engraved,
        made_to_measure=facts.made_to_measure,
        discounted=bool(before and after_tax_excluded and after_tax_excluded < before),
    )
