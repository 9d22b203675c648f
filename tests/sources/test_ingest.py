"""An order from the platform is upserted into the store once, in order: the same event twice
changes nothing, an older one never overwrites a newer one, an unknown status is kept and
flagged, and a refused event stores nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from shop.sources.ingest import Outcome, find_source_order, ingest_fulfilment, ingest_order
from shop.sources.record import Platform, SourceError, SourceOrder
from shop.sources.shopify import fulfilment_from_shopify, restatus_with
from shop.sources.woocommerce import order_from_woocommerce
from shop.store.db import session_scope
from shop.store.models import (
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    PromoCode,
    PromoKind,
    Shipment,
)
from tests.sources.conftest import mappings, sample, shopify_order

UTC = timezone.utc
SHOPIFY = mappings(Platform.SHOPIFY)
WOOCOMMERCE = mappings(Platform.WOOCOMMERCE)


@contextmanager
def warnings_logged_by(name: str) -> Iterator[list[str]]:
    """The messages logger ``name`` emits at WARNING and above, read by a handler on that logger
    itself: a library that sets up logging (``dictConfig`` with a root) replaces the root's
    handlers, pytest's ``caplog`` among them, and the record would go unseen."""
    messages: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: messages.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)


def ingest(sessions: sessionmaker, record: SourceOrder) -> Outcome:
    with session_scope(sessions) as session:
        return ingest_order(session, record).outcome


def stored(session: Session, platform: Platform = Platform.SHOPIFY, id_: str = "5829461459001"):
    order = find_source_order(session, platform, id_)
    assert order is not None
    return order


def counts(sessions: sessionmaker) -> tuple[int, ...]:
    with session_scope(sessions) as session:
        return tuple(
            session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Customer, Order, OrderLine, Shipment)
        )


def test_a_new_order_is_stored_with_its_customer_lines_and_facts(sessions: sessionmaker) -> None:
    assert ingest(sessions, shopify_order()) == Outcome.CREATED
    with session_scope(sessions) as session:
        order = stored(session)
        assert (order.number, order.reference, order.platform) == ("1001", "#1001", "shopify")
        assert order.customer.email == "claire.dupont@example.fr"
        assert order.customer.postal_code == "69003"
        assert order.status == OrderStatus.PAYMENT_AUTHORISED
        assert (order.source_status, order.status_unknown) == ("financial:paid", False)
        assert order.placed_at == datetime(2026, 11, 30, 9, 12, 44, tzinfo=UTC)
        assert order.status_changed_at == order.source_updated_at
        assert order.source_updated_at == datetime(2026, 11, 30, 9, 12, 46, tzinfo=UTC)
        assert order.discounts == [
            {"code": "BIENVENUE10", "amount_cents": 10100, "kind": "percent"}
        ]
        assert [(line.title, line.engraved, line.size) for line in order.lines] == [
            ("Bague Solitaire Or", True, "54"),
            ("Boucles d'oreilles Perle", False, None),
        ]
    assert counts(sessions) == (1, 1, 2, 0)


def test_the_same_payload_twice_changes_nothing(sessions: sessionmaker) -> None:
    record = shopify_order()
    assert ingest(sessions, record) == Outcome.CREATED
    with session_scope(sessions) as session:
        before = (stored(session).id, [line.id for line in stored(session).lines])
    assert ingest(sessions, record) == Outcome.UNCHANGED
    with session_scope(sessions) as session:
        assert (stored(session).id, [line.id for line in stored(session).lines]) == before
    assert counts(sessions) == (1, 1, 2, 0)


def test_a_newer_update_changes_the_order_and_keeps_its_line_rows(sessions: sessionmaker) -> None:
    ingest(sessions, shopify_order())
    with session_scope(sessions) as session:
        line_ids = [line.id for line in stored(session).lines]
    newer = shopify_order(
        updated_at="2026-11-30T12:00:00+01:00",
        cancelled_at="2026-11-30T12:00:00+01:00",
        financial_status="refunded",
    )
    assert ingest(sessions, newer) == Outcome.UPDATED
    with session_scope(sessions) as session:
        order = stored(session)
        assert order.status == OrderStatus.CANCELLED
        assert order.cancelled_at == datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
        assert order.status_changed_at == datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
        assert [line.id for line in order.lines] == line_ids


def test_an_older_event_never_overwrites_a_newer_one(sessions: sessionmaker) -> None:
    newer = shopify_order(updated_at="2026-11-30T12:00:00+01:00", fulfillment_status="partial")
    assert ingest(sessions, newer) == Outcome.CREATED
    assert ingest(sessions, shopify_order()) == Outcome.STALE  # created event, arriving late
    with session_scope(sessions) as session:
        order = stored(session)
        assert (order.status, order.source_status) == (OrderStatus.SHIPPED, "fulfillment:partial")
        assert order.source_updated_at == datetime(2026, 11, 30, 11, 0, tzinfo=UTC)


def test_an_unknown_status_is_kept_and_flagged_not_guessed(sessions: sessionmaker) -> None:
    result_status = shopify_order(financial_status="expired")
    with (
        warnings_logged_by("shop.sources.ingest") as warnings,
        session_scope(sessions) as session,
    ):
        result = ingest_order(session, result_status)
    assert warnings == [
        "shopify order 1001: created; status 'financial:expired' has no mapping: kept as is and "
        "flagged"
    ]
    assert (result.outcome, result.status_unknown, result.raw_status) == (
        Outcome.CREATED,
        True,
        "financial:expired",
    )
    assert "status 'financial:expired' has no mapping: kept as is and flagged" in result.describe()
    with session_scope(sessions) as session:
        order = stored(session)
        assert (order.source_status, order.status_unknown) == ("financial:expired", True)
        assert order.status == OrderStatus.BEING_PROCESSED  # only what its facts prove


def test_an_unknown_status_on_a_known_order_keeps_its_last_known_status(
    sessions: sessionmaker,
) -> None:
    ingest(sessions, shopify_order(fulfillment_status="fulfilled"))
    unknown = shopify_order(updated_at="2026-11-30T13:00:00+01:00", financial_status="expired")
    assert ingest(sessions, unknown) == Outcome.UPDATED
    with session_scope(sessions) as session:
        order = stored(session)
        assert (order.status, order.source_status, order.status_unknown) == (
            OrderStatus.SHIPPED,
            "financial:expired",
            True,
        )
        assert order.status_changed_at == datetime(2026, 11, 30, 9, 12, 46, tzinfo=UTC)
    mapped = shopify_order(updated_at="2026-11-30T15:00:00+01:00", financial_status="paid")
    ingest(sessions, mapped)
    with session_scope(sessions) as session:
        order = stored(session)
        assert (order.status, order.status_unknown) == (OrderStatus.PAYMENT_AUTHORISED, False)


def test_fulfilment_events_ship_then_deliver_the_order_once_and_in_order(
    sessions: sessionmaker,
) -> None:
    ingest(sessions, shopify_order())
    restatus = restatus_with(SHOPIFY)
    created = fulfilment_from_shopify(sample("shopify_fulfillment_created.json"), SHOPIFY)
    delivered_payload = sample("shopify_fulfillment_created.json")
    delivered_payload.update(shipment_status="delivered", updated_at="2026-12-02T10:00:00+01:00")
    delivered = fulfilment_from_shopify(delivered_payload, SHOPIFY)

    with session_scope(sessions) as session:
        assert ingest_fulfilment(session, created, restatus).outcome == Outcome.UPDATED
    with session_scope(sessions) as session:
        order = stored(session)
        assert (order.status, order.source_status) == (OrderStatus.SHIPPED, "fulfillment:fulfilled")
        assert order.status_changed_at == datetime(2026, 12, 1, 13, 5, 10, tzinfo=UTC)
        (parcel,) = order.shipments
        assert (parcel.carrier, parcel.tracking_number) == ("colissimo", "6A20011234567")
        assert all(line.shipment is parcel for line in order.lines)
    with session_scope(sessions) as session:
        assert ingest_fulfilment(session, created, restatus).outcome == Outcome.UNCHANGED
    with session_scope(sessions) as session:
        assert ingest_fulfilment(session, delivered, restatus).outcome == Outcome.UPDATED
    with session_scope(sessions) as session:
        assert ingest_fulfilment(session, created, restatus).outcome == Outcome.STALE
    with session_scope(sessions) as session:
        order = stored(session)
        assert order.status == OrderStatus.DELIVERED
        assert order.shipments[0].delivered_at == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    assert counts(sessions) == (1, 1, 2, 1)


def test_a_parcel_event_does_not_move_a_cancelled_order(sessions: sessionmaker) -> None:
    ingest(sessions, shopify_order(cancelled_at="2026-11-30T11:00:00+01:00"))
    event = fulfilment_from_shopify(sample("shopify_fulfillment_created.json"), SHOPIFY)
    with session_scope(sessions) as session:
        ingest_fulfilment(session, event, restatus_with(SHOPIFY))
    with session_scope(sessions) as session:
        assert stored(session).status == OrderStatus.CANCELLED


def test_a_parcel_event_before_its_order_is_refused_and_stores_nothing(
    sessions: sessionmaker,
) -> None:
    event = fulfilment_from_shopify(sample("shopify_fulfillment_created.json"), SHOPIFY)
    refused = pytest.raises(SourceError, match="order 5829461459001 is not in the store yet")
    with refused, session_scope(sessions) as session:
        ingest_fulfilment(session, event, restatus_with(SHOPIFY))
    assert counts(sessions) == (0, 0, 0, 0)


def test_an_order_number_another_order_holds_is_refused_and_stores_nothing(
    sessions: sessionmaker,
) -> None:
    ingest(sessions, shopify_order())
    payload = sample("woocommerce_order_updated.json")
    payload["number"] = "1001"
    other = order_from_woocommerce(payload, WOOCOMMERCE)
    with pytest.raises(SourceError, match="order number 1001 already belongs to shopify order"):
        ingest(sessions, other)
    assert counts(sessions) == (1, 1, 2, 0)


def test_two_orders_of_one_customer_share_the_customer(sessions: sessionmaker) -> None:
    ingest(sessions, shopify_order())
    second = shopify_order(id=5829461459099, order_number=1009, name="#1009")
    ingest(sessions, second)
    assert counts(sessions)[:2] == (1, 2)


def test_a_woocommerce_order_is_stored_with_its_shipping(sessions: sessionmaker) -> None:
    record = order_from_woocommerce(sample("woocommerce_order_updated.json"), WOOCOMMERCE)
    assert ingest(sessions, record) == Outcome.CREATED
    assert ingest(sessions, record) == Outcome.UNCHANGED
    with session_scope(sessions) as session:
        order = stored(session, Platform.WOOCOMMERCE, "104512")
        assert (order.number, order.carrier, order.shipping_cents) == (
            "104512",
            "mondial_relay",
            690,
        )
        assert order.customer.email == "julien.moreau@example.fr"


def test_a_discount_code_the_store_knows_links_the_order_to_it(sessions: sessionmaker) -> None:
    with session_scope(sessions) as session:
        session.add(
            PromoCode(
                code="BIENVENUE10",
                kind=PromoKind.PERCENT,
                value=10,
                valid_from=datetime(2026, 1, 1, tzinfo=UTC),
                valid_until=datetime(2026, 12, 31, tzinfo=UTC),
                min_basket_cents=0,
                single_use=True,
                active=True,
            )
        )
    ingest(sessions, shopify_order())
    with session_scope(sessions) as session:
        order = stored(session)
        assert order.promo_code is not None and order.promo_code.code == "BIENVENUE10"
    assert ingest(sessions, shopify_order()) == Outcome.UNCHANGED
