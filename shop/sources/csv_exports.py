"""Each platform's standard order export, read into ``SourceOrder``s for the first load.

- **Shopify**, Orders › Export (CSV for Excel or plain CSV): one row per line item, the order's
  own columns on its first row; an order's rows share its ``Name``. The export carries no
  tracking number: a fulfilled order comes in shipped, its parcel with the next fulfilment
  webhook.
- **WooCommerce** has no order export with e-mails in its core (Analytics' CSV names no
  customer e-mail): the file read is the official Customer/Order/Coupon Export extension's
  default "one row per item" CSV (``order_id``, ``order_number``, ``order_date``, ``status``,
  ``billing_email``, ``item_name``…); times are the shop's wall time.
- **PrestaShop**, Orders › Orders › Export: ``;``-separated, one row per order with the
  back-office list's columns (ID, Référence, Client, Total, Paiement, État, Date…), no lines
  and no e-mail: the customer's e-mail comes from the back-office customers export
  (Customers › Customers › Export), matched on the list's "S. Lefèvre" form of the name.

A group of rows becomes one order or one refusal with its reason; nothing here touches the
store (``importer.py`` does).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from shop.kinds import ProductKind
from shop.sources.mappings import PlatformMappings, unmapped_payment
from shop.sources.record import (
    Platform,
    SourceCustomer,
    SourceDiscount,
    SourceError,
    SourceLine,
    SourceOrder,
    build_line,
    build_order,
    reasons,
)
from shop.sources.shopify import RING_SIZE, status_key
from shop.sources.values import (
    cents,
    optional_cents,
    optional_timestamp,
    quantity,
    text,
    timestamp,
)

Row = Mapping[str, str]
_META_PAIR = re.compile(r"^\s*([^:=]+?)\s*[:=]\s*(.*?)\s*$")

SHOPIFY_REQUIRED = (
    "Name",
    "Email",
    "Financial Status",
    "Fulfillment Status",
    "Created at",
    "Total",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Payment Method",
    "Id",
)
WOOCOMMERCE_REQUIRED = (
    "order_id",
    "order_number",
    "order_date",
    "status",
    "order_total",
    "payment_method",
    "billing_email",
    "item_id",
    "item_name",
    "item_quantity",
)
# The back office writes its column titles in the employee's language.
PRESTASHOP_COLUMNS = {
    "id": ("ID",),
    "reference": ("Référence", "Reference"),
    "country": ("Livraison", "Delivery"),
    "customer": ("Client", "Customer"),
    "total": ("Total",),
    "payment": ("Paiement", "Payment"),
    "status": ("État", "Etat", "Status"),
    "date": ("Date",),
}
PRESTASHOP_CUSTOMER_COLUMNS = {
    "first_name": ("Prénom", "First name", "First Name"),
    "last_name": ("Nom", "Last name", "Last Name"),
    "email": ("E-mail", "Email", "Email address", "Adresse e-mail"),
}
COUNTRIES = {
    "france": "FR",
    "belgique": "BE",
    "belgium": "BE",
    "suisse": "CH",
    "switzerland": "CH",
    "luxembourg": "LU",
    "allemagne": "DE",
    "germany": "DE",
    "espagne": "ES",
    "spain": "ES",
    "italie": "IT",
    "italy": "IT",
    "monaco": "MC",
    "canada": "CA",
    "royaume-uni": "GB",
    "united kingdom": "GB",
    "pays-bas": "NL",
    "netherlands": "NL",
}


@dataclass
class RowGroup:
    """The rows of one order in the file, with their line numbers (file:line in the report)."""

    key: str
    line_numbers: list[int] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class ReadOrder:
    group: RowGroup
    order: SourceOrder | None
    refusal: str | None = None


def read_rows(path: Path, delimiter: str) -> tuple[list[str], list[tuple[int, Row]]]:
    """The header and each row with the file line it starts on (UTF-8, with or without BOM)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        header = [name.strip() for name in reader.fieldnames or []]
        reader.fieldnames = header
        rows: list[tuple[int, Row]] = []
        line = reader.line_num + 1
        for row in reader:
            rows.append((line, {k: (v or "") for k, v in row.items() if isinstance(k, str)}))
            line = reader.line_num + 1
    return header, rows


def require_columns(path: Path, header: list[str], required: tuple[str, ...]) -> None:
    missing = [name for name in required if name not in header]
    if missing:
        raise SourceError(f"{path.name}: not this platform's export, missing columns: {missing}")


def group_rows(rows: list[tuple[int, Row]], key_column: str) -> list[RowGroup]:
    groups: dict[str, RowGroup] = {}
    for line, row in rows:
        key = text(row.get(key_column))
        group = groups.setdefault(key, RowGroup(key))
        group.line_numbers.append(line)
        group.rows.append(row)
    return list(groups.values())


def read_export(
    path: Path,
    platform: Platform,
    mappings: PlatformMappings,
    *,
    local_zone: str,
    customers_path: Path | None = None,
) -> Iterator[ReadOrder]:
    """Every order of the file, mapped or refused with its reason."""
    if platform == Platform.SHOPIFY:
        header, rows = read_rows(path, ",")
        require_columns(path, header, SHOPIFY_REQUIRED)
        yield from _each(group_rows(rows, "Name"), "Name", lambda g: _shopify(g, mappings))
    elif platform == Platform.WOOCOMMERCE:
        header, rows = read_rows(path, ",")
        require_columns(path, header, WOOCOMMERCE_REQUIRED)
        yield from _each(
            group_rows(rows, "order_id"),
            "order_id",
            lambda g: _woocommerce(g, mappings, local_zone),
        )
    else:
        if customers_path is None:
            raise SourceError(
                f"{path.name}: PrestaShop's orders export names no e-mail: give the back-office "
                "customers export too (--customers customers.csv)"
            )
        emails = _prestashop_customers(customers_path)
        header, rows = read_rows(path, ";")
        columns = _columns(path, header, PRESTASHOP_COLUMNS)
        yield from _each(
            group_rows(rows, columns["id"]),
            columns["id"],
            lambda g: _prestashop(g, columns, emails, mappings, local_zone),
        )


def _each(groups: list[RowGroup], key_column: str, read: Any) -> Iterator[ReadOrder]:
    for group in groups:
        if not group.key:
            yield ReadOrder(group, None, f"no {key_column}: the row belongs to no order")
            continue
        try:
            yield ReadOrder(group, read(group))
        except SourceError as error:
            yield ReadOrder(group, None, str(error))
        except ValidationError as error:
            yield ReadOrder(group, None, reasons(error))


def _columns(
    path: Path, header: list[str], wanted: Mapping[str, tuple[str, ...]]
) -> dict[str, str]:
    found = {}
    for name, titles in wanted.items():
        title = next((t for t in titles if t in header), None)
        if title is None:
            raise SourceError(
                f"{path.name}: not PrestaShop's export, no column {' / '.join(titles)}"
            )
        found[name] = title
    return found


def _split_name(full: str) -> tuple[str, str]:
    parts = text(full).split(" ", 1)
    return (parts[0], parts[1]) if len(parts) == 2 else (parts[0], "")


def _first_with(rows: list[Row], column: str) -> Row:
    return next((row for row in rows if text(row.get(column))), rows[0])


# --- Shopify --------------------------------------------------------------------------------


def _shopify(group: RowGroup, mappings: PlatformMappings) -> SourceOrder:
    head = _first_with(group.rows, "Financial Status")
    created = timestamp(head.get("Created at"), "Created at")
    later = [
        optional_timestamp(head.get(name), name)
        for name in ("Paid at", "Fulfilled at", "Cancelled at")
    ]
    cancelled_at = later[2]
    fulfilment = text(head.get("Fulfillment Status")).lower()
    key = status_key(
        cancelled=cancelled_at is not None,
        financial_status=text(head.get("Financial Status")),
        fulfillment_status=fulfilment,
        every_parcel_delivered=False,
    )
    gateway = text(head.get("Payment Method")).split(" + ")[0]
    payment = mappings.payment_method(gateway) if gateway else None
    if payment is None:
        raise SourceError(unmapped_payment("Payment Method", gateway))
    first, last = _split_name(head.get("Billing Name") or head.get("Shipping Name") or "")
    code = text(head.get("Discount Code")).upper()
    notes = []
    if fulfilment in ("fulfilled", "partial"):
        notes.append("fulfilled, but the export has no tracking number: the parcel comes later")
    return build_order(
        platform=Platform.SHOPIFY,
        platform_order_id=text(head.get("Id")),
        number=group.key,
        reference=group.key,
        customer=SourceCustomer(
            email=text(head.get("Email")),
            first_name=first,
            last_name=last,
            postal_code=text(head.get("Shipping Zip")).lstrip("'") or None,
        ),
        created_at=created,
        updated_at=max([created, *[t for t in later if t is not None]]),
        raw_status=key,
        status=mappings.status(key),
        cancelled_at=cancelled_at,
        payment_method=payment,
        raw_payment_method=gateway,
        total_cents=cents(head.get("Total"), "Total"),
        shipping_cents=optional_cents(head.get("Shipping"), "Shipping"),
        shipping_country=text(head.get("Shipping Country")) or mappings.default_country,
        carrier=mappings.carrier(head.get("Shipping Method")),
        lines=tuple(_shopify_line(n, row, mappings) for n, row in enumerate(group.rows, 1)),
        discounts=(
            (
                SourceDiscount(
                    code=code,
                    amount_cents=optional_cents(head.get("Discount Amount"), "Discount Amount"),
                ),
            )
            if code
            else ()
        ),
        notes=tuple(notes),
    )


def _shopify_line(position: int, row: Row, mappings: PlatformMappings) -> SourceLine:
    name = text(row.get("Lineitem name"))
    title, _, variant = name.partition(" - ")
    kind = mappings.product_kind(name)
    price = cents(row.get("Lineitem price"), "Lineitem price")
    compare = optional_cents(row.get("Lineitem compare at price"), "Lineitem compare at price")
    facts = mappings.line_facts(name, [])
    return build_line(
        "Lineitem",
        platform_line_id=f"export:{position}",
        sku=text(row.get("Lineitem sku")),
        title=title or name,
        kind=kind,
        size=facts.size
        or (variant if kind == ProductKind.RING and RING_SIZE.match(variant) else None),
        quantity=quantity(row.get("Lineitem quantity"), "Lineitem quantity"),
        unit_price_cents=price,
        made_to_measure=facts.made_to_measure,
        discounted=compare > price,
    )


# --- WooCommerce ----------------------------------------------------------------------------


def _woocommerce(group: RowGroup, mappings: PlatformMappings, local_zone: str) -> SourceOrder:
    head = group.rows[0]
    raw_status = text(head.get("status"))
    created = timestamp(head.get("order_date"), "order_date", local_zone=local_zone)
    gateway = text(head.get("payment_method"))
    payment = mappings.payment_method(gateway) if gateway else None
    if payment is None:
        raise SourceError(unmapped_payment("payment_method", gateway))
    number = text(head.get("order_number")) or group.key
    return build_order(
        platform=Platform.WOOCOMMERCE,
        platform_order_id=group.key,
        number=number,
        reference=f"#{number}",
        customer=SourceCustomer(
            email=text(head.get("billing_email")),
            first_name=text(head.get("billing_first_name")),
            last_name=text(head.get("billing_last_name")),
            postal_code=text(head.get("shipping_postcode") or head.get("billing_postcode")) or None,
        ),
        created_at=created,
        updated_at=created,
        raw_status=raw_status,
        status=mappings.status(raw_status),
        payment_method=payment,
        raw_payment_method=gateway,
        total_cents=cents(head.get("order_total"), "order_total"),
        shipping_cents=optional_cents(head.get("shipping_total"), "shipping_total"),
        shipping_country=text(head.get("shipping_country") or head.get("billing_country"))
        or mappings.default_country,
        carrier=mappings.carrier(head.get("shipping_method")),
        lines=tuple(_woocommerce_line(row, mappings) for row in group.rows),
        discounts=_coupons(head.get("coupon_items") or ""),
    )


def pairs(meta: str) -> list[tuple[str, str]]:
    """``"Taille: 54, Gravure: Léa"`` or ``"Taille=54;Gravure=Léa"`` → name/value pairs."""
    found = []
    for part in re.split(r"[,;|]", meta):
        match = _META_PAIR.match(part)
        if match:
            found.append((match.group(1), match.group(2)))
    return found


def _woocommerce_line(row: Row, mappings: PlatformMappings) -> SourceLine:
    title = text(row.get("item_name"))
    count = quantity(row.get("item_quantity"), "item_quantity")
    if text(row.get("item_price")):
        unit = cents(row.get("item_price"), "item_price")
    else:
        unit = cents(row.get("item_total"), "item_total") // count
    facts = mappings.line_facts(title, pairs(row.get("item_meta") or ""))
    return build_line(
        "item",
        platform_line_id=text(row.get("item_id")),
        sku=text(row.get("item_sku")),
        title=title,
        kind=mappings.product_kind(title),
        size=facts.size,
        quantity=count,
        unit_price_cents=unit,
        engraved=facts.engraved,
        made_to_measure=facts.made_to_measure,
    )


def _coupons(cell: str) -> tuple[SourceDiscount, ...]:
    """``"code:BIENVENUE10|amount:15.00;code:NOEL|amount:5.00"`` → discounts."""
    found = []
    for coupon in filter(None, (part.strip() for part in cell.split(";"))):
        fields = dict(
            (name.strip(), value.strip())
            for name, _, value in (item.partition(":") for item in coupon.split("|"))
        )
        if fields.get("code"):
            amount = optional_cents(fields.get("amount"), "coupon_items.amount")
            found.append(SourceDiscount(code=fields["code"].upper(), amount_cents=amount))
    return tuple(found)


# --- PrestaShop -----------------------------------------------------------------------------


def short_name(first_name: str, last_name: str) -> str:
    """The back-office orders list's form of a customer's name: ``"S. Lefèvre"``."""
    return f"{text(first_name)[:1]}. {text(last_name)}".lower()


def _prestashop_customers(path: Path) -> dict[str, list[tuple[str, str, str]]]:
    header, rows = read_rows(path, ";")
    columns = _columns(path, header, PRESTASHOP_CUSTOMER_COLUMNS)
    people: dict[str, list[tuple[str, str, str]]] = {}
    for _, row in rows:
        first, last = text(row.get(columns["first_name"])), text(row.get(columns["last_name"]))
        email = text(row.get(columns["email"]))
        if email:
            people.setdefault(short_name(first, last), []).append((email, first, last))
    return people


def _prestashop(
    group: RowGroup,
    columns: Mapping[str, str],
    people: Mapping[str, list[tuple[str, str, str]]],
    mappings: PlatformMappings,
    local_zone: str,
) -> SourceOrder:
    if len(group.rows) > 1:
        raise SourceError(f"order id {group.key} appears on {len(group.rows)} rows")
    row = group.rows[0]
    client = text(row.get(columns["customer"]))
    matches = {entry[0].lower(): entry for entry in people.get(client.lower(), [])}
    if len(matches) != 1:
        found = "no customer" if not matches else f"{len(matches)} customers"
        raise SourceError(
            f"customer {client!r} matches {found} in the customers export: whose e-mail "
            "it is cannot be told"
        )
    email, first, last = next(iter(matches.values()))
    raw_status = text(row.get(columns["status"]))
    payment_name = text(row.get(columns["payment"]))
    payment = mappings.payment_method(payment_name) if payment_name else None
    if payment is None:
        raise SourceError(unmapped_payment(columns["payment"], payment_name))
    placed = timestamp(row.get(columns["date"]), columns["date"], local_zone=local_zone)
    reference = text(row.get(columns["reference"]))
    country = text(row.get(columns["country"])).lower()
    return build_order(
        platform=Platform.PRESTASHOP,
        platform_order_id=group.key,
        number=reference,
        reference=reference,
        customer=SourceCustomer(email=email, first_name=first, last_name=last),
        created_at=placed,
        updated_at=placed,
        raw_status=raw_status,
        status=mappings.status(raw_status),
        payment_method=payment,
        raw_payment_method=payment_name,
        total_cents=cents(row.get(columns["total"]), columns["total"]),
        shipping_country=COUNTRIES.get(country, mappings.default_country),
        carrier=mappings.carrier(None),
        notes=("the export has no lines nor parcels: they come with the webservice",),
    )
