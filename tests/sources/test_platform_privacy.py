"""What the shop's platform sent about a shopper is personal data like the rest: an applied
delivery keeps no body, the retention job deletes finished deliveries after the retention
period (a failed one keeps its body until then), and a shopper's export shows, and erasure
deletes, their deliveries and the finished requests about their orders. On SQLite and
PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from shop.clock import FixedClock
from shop.privacy.retention import RetentionSettings, retain
from shop.privacy.subject import erase_subject, export_subject
from shop.sources.deliveries import apply_due, receive
from shop.sources.ingest import find_source_order
from shop.sources.record import Platform
from shop.store import platform_requests, repository
from shop.store.db import session_scope
from shop.store.platform_deliveries import DeliveryState, PlatformDelivery
from shop.store.platform_requests import PlatformRequest, RequestKind, RequestState
from tests.sources.conftest import sample

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)
CLAIRE = "claire.dupont@example.fr"  # the Shopify sample's buyer
CLAIRE_ORDER = "5829461459001"
JULIEN_ORDER = "104512"  # the WooCommerce sample's


def queue(
    sessions: sessionmaker,
    platform: Platform,
    topic: str,
    payload: dict[str, Any],
    delivery_id: str,
    now: datetime = NOW,
) -> int:
    return receive(
        sessions,
        platform=platform,
        delivery_id=delivery_id,
        topic=topic,
        body=json.dumps(payload).encode("utf-8"),
        source="boutique",
        platform_order_id=str(payload.get("order_id") or payload["id"]),
        now=now,
    ).id


def deliveries(sessions: sessionmaker) -> dict[str, tuple[str, str | None]]:
    """delivery id -> (state, body)"""
    with session_scope(sessions) as session:
        rows = session.execute(select(PlatformDelivery).order_by(PlatformDelivery.id)).scalars()
        return {row.delivery_id: (row.state, row.body) for row in rows}


def claire_and_julien(sessions: sessionmaker) -> None:
    """Claire's Shopify order (applied), a WooCommerce delivery naming her e-mail that can never
    apply (failed, body kept), her parcel's delivery not applied yet (pending); Julien's order."""
    queue(sessions, Platform.SHOPIFY, "orders/create", sample("shopify_order_created.json"), "c1")
    queue(
        sessions,
        Platform.WOOCOMMERCE,
        "order.created",
        sample("woocommerce_order_updated.json"),
        "j1",
    )
    clashing = sample("woocommerce_order_updated.json")
    clashing.update(id=104999, number="1001")  # the number Claire's Shopify order holds
    clashing["billing"]["email"] = "Claire.Dupont@Example.fr"
    queue(sessions, Platform.WOOCOMMERCE, "order.created", clashing, "c2")
    results = apply_due(sessions, clock=FixedClock(NOW))
    assert [r.state for r in results] == [
        DeliveryState.APPLIED,
        DeliveryState.APPLIED,
        DeliveryState.FAILED,
    ]
    parcel = sample("shopify_fulfillment_created.json")
    queue(sessions, Platform.SHOPIFY, "fulfillments/create", parcel, "c3")


def test_an_applied_delivery_keeps_no_body_a_failed_one_keeps_it_for_a_person(
    sessions: sessionmaker,
) -> None:
    claire_and_julien(sessions)
    stored = deliveries(sessions)
    assert stored["c1"] == ("applied", None) and stored["j1"] == ("applied", None)
    assert stored["c2"][0] == "failed" and "Claire.Dupont@Example.fr" in str(stored["c2"][1])
    assert stored["c3"][0] == "pending" and stored["c3"][1] is not None


def test_retention_deletes_finished_deliveries_after_the_period_pending_ones_stay(
    sessions: sessionmaker,
) -> None:
    claire_and_julien(sessions)
    settings = RetentionSettings(conversation_days=30)
    with session_scope(sessions) as session:
        report = retain(session, settings, NOW + timedelta(days=29))
    assert report.as_dict()["platform_deliveries"] == 0
    assert set(deliveries(sessions)) == {"c1", "j1", "c2", "c3"}

    with session_scope(sessions) as session:
        report = retain(session, settings, NOW + timedelta(days=31))
    assert report.as_dict()["platform_deliveries"] == 3  # the applied ones and the failed one
    assert set(deliveries(sessions)) == {"c3"}  # still to apply: its order's parcel
    with session_scope(sessions) as session:
        assert (
            retain(session, settings, NOW + timedelta(days=31)).as_dict()["platform_deliveries"]
            == 0
        )


def test_the_export_shows_and_the_erasure_deletes_what_the_platform_sent_about_the_shopper(
    sessions: sessionmaker,
) -> None:
    claire_and_julien(sessions)
    with session_scope(sessions) as session:
        order = find_source_order(session, Platform.SHOPIFY, CLAIRE_ORDER)
        assert order is not None
        repository.cancel_order(session, order, NOW)  # queued for Shopify: still pending
        returned = platform_requests.request_for(session, order, RequestKind.RETURN, NOW)
        assert returned is not None
        returned.state = RequestState.CONFIRMED.value  # an older request, done
        returned.finished_at = NOW

    with session_scope(sessions) as session:
        data = export_subject(session, CLAIRE.upper(), NOW)
    assert sorted(d["platform_order_id"] for d in data["platform_deliveries"]) == sorted(
        [CLAIRE_ORDER, CLAIRE_ORDER, "104999"]
    )
    failed = next(d for d in data["platform_deliveries"] if d["state"] == "failed")
    assert "Claire.Dupont@Example.fr" in failed["body"]
    assert sorted(r["state"] for r in data["platform_requests"]) == ["confirmed", "pending"]
    json.dumps(data)

    with session_scope(sessions) as session:
        report = erase_subject(session, CLAIRE, NOW).as_dict()
    assert (report["platform_deliveries"], report["platform_requests"]) == (3, 1)
    assert set(deliveries(sessions)) == {"j1"}  # Julien's stays
    with session_scope(sessions) as session:
        kept = list(session.execute(select(PlatformRequest)).scalars())
        # her cancellation still goes to Shopify: it names the order only, not her
        assert [(r.kind, r.state) for r in kept] == [("cancel", "pending")]
        assert export_subject(session, CLAIRE, NOW)["platform_deliveries"] == []

    with session_scope(sessions) as session:
        again = erase_subject(session, CLAIRE, NOW).as_dict()
    assert again.get("platform_deliveries", 0) == 0 and again.get("platform_requests", 0) == 0
