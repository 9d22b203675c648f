"""Each platform's documented payload becomes the expected normalised order; statuses map by
the defaults, a shop's own mapping wins, an unknown status is kept and flagged; a malformed
payload is refused with its reason."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from shop.sources.prestashop import name_attributes, order_from_prestashop
from shop.sources.record import Platform, SourceError
from shop.sources.shopify import fulfilment_from_shopify, order_from_shopify
from shop.sources.woocommerce import order_from_woocommerce
from shop.store.models import OrderStatus, PaymentMethod, ProductKind
from tests.sources.conftest import mappings, sample

UTC = timezone.utc
SHOPIFY = mappings(Platform.SHOPIFY)
WOOCOMMERCE = mappings(Platform.WOOCOMMERCE)
PRESTASHOP = mappings(Platform.PRESTASHOP)


def prestashop_order(**changes: str) -> dict:
    payload = sample("prestashop_order.json")
    payload["order"].update(changes)
    return payload


# --- Shopify ---------------------------------------------------------------------------------


def test_shopify_order_created_maps_to_the_order_the_shopper_placed() -> None:
    order = order_from_shopify(sample("shopify_order_created.json"), SHOPIFY)
    assert (order.platform, order.platform_order_id) == (Platform.SHOPIFY, "5829461459001")
    assert (order.number, order.reference) == ("1001", "#1001")
    assert order.customer.email == "claire.dupont@example.fr"
    assert (order.customer.first_name, order.customer.last_name) == ("Claire", "Dupont")
    assert order.customer.postal_code == "69003"
    assert order.created_at == datetime(2026, 11, 30, 9, 12, 44, tzinfo=UTC)
    assert order.updated_at == datetime(2026, 11, 30, 9, 12, 46, tzinfo=UTC)
    assert (order.raw_status, order.status) == ("financial:paid", OrderStatus.PAYMENT_AUTHORISED)
    assert (order.payment_method, order.raw_payment_method) == (
        PaymentMethod.CARD,
        "shopify_payments",
    )
    assert (order.total_cents, order.shipping_cents) == (91900, 1000)
    assert (order.shipping_country, order.carrier) == ("FR", "colissimo")
    ring, earrings = order.lines
    assert (ring.platform_line_id, ring.title, ring.kind) == (
        "14520987650001",
        "Bague Solitaire Or",
        ProductKind.RING,
    )
    assert (ring.size, ring.engraved, ring.unit_price_cents, ring.quantity) == (
        "54",
        True,
        89000,
        1,
    )
    assert (earrings.kind, earrings.engraved, earrings.size) == (ProductKind.EARRINGS, False, None)
    assert [(d.code, d.amount_cents, d.kind) for d in order.discounts] == [
        ("BIENVENUE10", 10100, "percent")
    ]
    assert order.shipments == () and order.notes == ()


def test_shopify_fulfilment_maps_to_a_parcel_of_the_order() -> None:
    event = fulfilment_from_shopify(sample("shopify_fulfillment_created.json"), SHOPIFY)
    assert event.platform_order_id == "5829461459001"
    parcel = event.shipment
    assert parcel is not None
    assert (parcel.carrier, parcel.tracking_number) == ("colissimo", "6A20011234567")
    assert parcel.shipped_at == datetime(2026, 12, 1, 13, 5, 10, tzinfo=UTC)
    assert parcel.delivered_at is None
    assert parcel.line_ids == ("14520987650001", "14520987650002")


def test_a_shopify_fulfilment_without_tracking_number_is_no_parcel_and_says_why() -> None:
    payload = sample("shopify_fulfillment_created.json")
    payload.update(tracking_number=None, tracking_numbers=[])
    event = fulfilment_from_shopify(payload, SHOPIFY)
    assert event.shipment is None
    assert event.note == "fulfilment 4512309870001 has no tracking number: no parcel stored"


@pytest.mark.parametrize(
    ("changes", "key", "status"),
    [
        ({"financial_status": "pending"}, "financial:pending", OrderStatus.AWAITING_PAYMENT),
        (
            {"financial_status": "authorized"},
            "financial:authorized",
            OrderStatus.PAYMENT_AUTHORISED,
        ),
        ({"fulfillment_status": "partial"}, "fulfillment:partial", OrderStatus.SHIPPED),
        ({"fulfillment_status": "fulfilled"}, "fulfillment:fulfilled", OrderStatus.SHIPPED),
        ({"financial_status": "refunded"}, "financial:refunded", OrderStatus.REFUNDED),
        (
            {"cancelled_at": "2026-11-30T11:00:00+01:00", "financial_status": "refunded"},
            "cancelled",
            OrderStatus.CANCELLED,
        ),
        ({"financial_status": "expired"}, "financial:expired", None),
    ],
)
def test_shopify_statuses_map_by_the_first_fact_that_holds(
    changes: dict, key: str, status: OrderStatus | None
) -> None:
    payload = sample("shopify_order_created.json")
    payload.update(changes)
    order = order_from_shopify(payload, SHOPIFY)
    assert (order.raw_status, order.status, order.status_unknown) == (key, status, status is None)


def test_a_shopify_order_whose_every_parcel_is_delivered_is_delivered() -> None:
    payload = sample("shopify_order_created.json")
    fulfilment = sample("shopify_fulfillment_created.json")
    fulfilment.update(shipment_status="delivered", updated_at="2026-12-02T10:00:00+01:00")
    payload.update(fulfillment_status="fulfilled", fulfillments=[fulfilment])
    order = order_from_shopify(payload, SHOPIFY)
    assert (order.raw_status, order.status) == ("shipment:delivered", OrderStatus.DELIVERED)
    assert order.shipments[0].delivered_at == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


# --- WooCommerce -----------------------------------------------------------------------------


def test_woocommerce_order_maps_to_the_order_the_shopper_placed() -> None:
    order = order_from_woocommerce(sample("woocommerce_order_updated.json"), WOOCOMMERCE)
    assert (order.platform_order_id, order.number, order.reference) == (
        "104512",
        "104512",
        "#104512",
    )
    assert order.customer.email == "julien.moreau@example.fr"  # as typed: Julien.Moreau@…
    assert order.created_at == datetime(2026, 11, 30, 8, 40, 3, tzinfo=UTC)
    assert order.updated_at == datetime(2026, 11, 30, 8, 41, 15, tzinfo=UTC)
    assert (order.raw_status, order.status) == ("processing", OrderStatus.PAYMENT_AUTHORISED)
    assert (order.payment_method, order.total_cents, order.shipping_cents) == (
        PaymentMethod.CARD,
        15190,
        690,
    )
    assert order.carrier == "mondial_relay"
    (bracelet,) = order.lines
    assert (bracelet.kind, bracelet.size, bracelet.unit_price_cents) == (
        ProductKind.BRACELET,
        "M",
        14500,
    )


def test_woocommerce_shipment_tracking_items_become_parcels() -> None:
    payload = sample("woocommerce_order_updated.json")
    payload["status"] = "completed"
    payload["meta_data"].append(
        {
            "id": 9002,
            "key": "_wc_shipment_tracking_items",
            "value": [
                {
                    "tracking_provider": "mondial-relay",
                    "custom_tracking_provider": "",
                    "tracking_number": "48613390",
                    "date_shipped": "1764576000",
                    "tracking_id": "a1b2c3",
                }
            ],
        }
    )
    order = order_from_woocommerce(payload, WOOCOMMERCE)
    (parcel,) = order.shipments
    assert (parcel.platform_shipment_id, parcel.tracking_number) == ("a1b2c3", "48613390")
    assert parcel.carrier == "mondial_relay"
    assert parcel.shipped_at == datetime(2025, 12, 1, 8, 0, tzinfo=UTC)
    assert order.status == OrderStatus.SHIPPED


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("pending", OrderStatus.AWAITING_PAYMENT),
        ("on-hold", OrderStatus.AWAITING_PAYMENT),
        ("processing", OrderStatus.PAYMENT_AUTHORISED),
        ("wc-processing", OrderStatus.PAYMENT_AUTHORISED),
        ("completed", OrderStatus.SHIPPED),
        ("cancelled", OrderStatus.CANCELLED),
        ("refunded", OrderStatus.REFUNDED),
        ("trash", None),
        ("en-gravure", None),
    ],
)
def test_woocommerce_default_statuses(raw: str, status: OrderStatus | None) -> None:
    payload = sample("woocommerce_order_updated.json")
    payload["status"] = raw
    order = order_from_woocommerce(payload, WOOCOMMERCE)
    assert (order.raw_status, order.status) == (raw, status)


def test_a_shops_own_statuses_are_mapped_and_override_the_defaults() -> None:
    shop = mappings(
        Platform.WOOCOMMERCE,
        statuses={"en-gravure": "being_prepared", "Completed": "delivered"},
    )
    payload = sample("woocommerce_order_updated.json")
    payload["status"] = "en-gravure"
    assert order_from_woocommerce(payload, shop).status == OrderStatus.BEING_PREPARED
    payload["status"] = "completed"
    assert order_from_woocommerce(payload, shop).status == OrderStatus.DELIVERED
    assert order_from_woocommerce(payload, WOOCOMMERCE).status == OrderStatus.SHIPPED


def test_a_shops_mapping_to_no_store_status_is_refused() -> None:
    with pytest.raises(ValueError, match="statuses"):
        mappings(Platform.WOOCOMMERCE, statuses={"en-gravure": "engraving"})


# --- PrestaShop ------------------------------------------------------------------------------


def test_prestashop_order_maps_to_the_order_the_shopper_placed() -> None:
    order = order_from_prestashop(
        sample("prestashop_order.json"),
        sample("prestashop_customer.json"),
        PRESTASHOP,
        carrier_name="Colissimo",
    )
    assert (order.platform_order_id, order.number, order.reference) == (
        "5",
        "XKBKNABJK",
        "XKBKNABJK",
    )
    assert order.customer.email == "sophie.lefevre@example.fr"
    assert order.customer.last_name == "Lefèvre"
    assert order.created_at == datetime(2026, 11, 28, 14, 47, 20, tzinfo=UTC)  # Paris, UTC+1
    assert (order.raw_status, order.status) == ("4", OrderStatus.SHIPPED)
    assert (order.payment_method, order.raw_payment_method) == (
        PaymentMethod.BANK_TRANSFER,
        "ps_wirepayment",
    )
    assert (order.total_cents, order.shipping_cents, order.carrier) == (25490, 590, "colissimo")
    (ring,) = order.lines
    assert (ring.title, ring.kind, ring.size, ring.unit_price_cents) == (
        "Bague Lina",
        ProductKind.RING,
        "52",
        24900,
    )
    (parcel,) = order.shipments
    assert (parcel.tracking_number, parcel.delivered_at) == ("XY123456789FR", None)


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("1", OrderStatus.AWAITING_PAYMENT),
        ("2", OrderStatus.PAYMENT_AUTHORISED),
        ("3", OrderStatus.BEING_PREPARED),
        ("5", OrderStatus.DELIVERED),
        ("6", OrderStatus.CANCELLED),
        ("7", OrderStatus.REFUNDED),
        ("10", OrderStatus.AWAITING_PAYMENT),
        ("27", None),
    ],
)
def test_prestashop_default_order_states(state: str, status: OrderStatus | None) -> None:
    order = order_from_prestashop(
        prestashop_order(current_state=state), sample("prestashop_customer.json"), PRESTASHOP
    )
    assert (order.raw_status, order.status) == (state, status)


def test_a_prestashop_shops_own_state_is_mapped_by_its_id() -> None:
    shop = mappings(Platform.PRESTASHOP, statuses={"27": "being_prepared"})
    order = order_from_prestashop(
        prestashop_order(current_state="27"), sample("prestashop_customer.json"), shop
    )
    assert order.status == OrderStatus.BEING_PREPARED


def test_prestashop_writes_attributes_into_the_line_name() -> None:
    assert name_attributes("Bague Lina - Taille : 52, Gravure : Léa") == [
        ("Taille", "52"),
        ("Gravure", "Léa"),
    ]
    assert name_attributes("Collier Perle") == []


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"email": None, "contact_email": None, "customer": {}}, "email: missing"),
        ({"total_price": "beaucoup"}, "total_price: not an amount: 'beaucoup'"),
        ({"created_at": "2026-11-30T10:12:44"}, "created_at: a time without its time zone"),
        ({"id": None}, "id: missing"),
        ({"line_items": "none"}, "line_items: a list of objects was expected"),
        ({"email": "claire.dupont"}, "email: not an e-mail address: 'claire.dupont'"),
        ({"payment_gateway_names": ["alma"]}, "payment method 'alma' has no mapping"),
    ],
)
def test_a_malformed_shopify_payload_is_refused_with_its_reason(changes: dict, reason: str) -> None:
    payload = sample("shopify_order_created.json")
    payload.update(changes)
    with pytest.raises(SourceError) as refused:
        order_from_shopify(payload, SHOPIFY)
    assert reason in str(refused.value)


def test_a_line_without_title_or_with_zero_quantity_is_refused() -> None:
    payload = sample("woocommerce_order_updated.json")
    payload["line_items"][0]["quantity"] = 0
    with pytest.raises(SourceError, match="line_items.quantity: a quantity of at least 1"):
        order_from_woocommerce(payload, WOOCOMMERCE)
    payload["line_items"][0].update(quantity=1, name=" ")
    with pytest.raises(SourceError, match="line_items: title: a line without a product title"):
        order_from_woocommerce(payload, WOOCOMMERCE)


def test_a_body_that_is_no_object_is_refused() -> None:
    with pytest.raises(SourceError, match="not a JSON object"):
        order_from_woocommerce([1, 2], WOOCOMMERCE)  # type: ignore[arg-type]


def test_a_prestashop_order_needs_its_own_customer() -> None:
    with pytest.raises(SourceError, match=r"/api/customers/4"):
        order_from_prestashop(sample("prestashop_order.json"), None, PRESTASHOP)
    stranger = sample("prestashop_customer.json")
    stranger["customer"]["id"] = 9
    with pytest.raises(SourceError, match="belongs to customer 4, not to customer 9"):
        order_from_prestashop(sample("prestashop_order.json"), stranger, PRESTASHOP)
