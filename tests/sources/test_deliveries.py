"""The durable queue of webhook deliveries: stored once, applied once by whichever worker
claims it, retried when it cannot apply yet, kept with its reason when it never can."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from shop.clock import FixedClock
from shop.sources import deliveries
from shop.sources.deliveries import Applied, apply_due, receive
from shop.sources.ingest import find_source_order
from shop.sources.record import Platform
from shop.store.db import create_schema, make_engine, make_session_factory, session_scope
from shop.store.models import OrderStatus
from shop.store.platform_deliveries import DeliveryState, PlatformDelivery
from tests.sources.conftest import sample

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)
ORDER_ID = "5829461459001"


def queue(
    sessions: sessionmaker,
    topic: str,
    payload: dict[str, Any],
    delivery_id: str,
    platform: Platform = Platform.SHOPIFY,
    now: datetime = NOW,
) -> deliveries.Received:
    return receive(
        sessions,
        platform=platform,
        delivery_id=delivery_id,
        topic=topic,
        body=json.dumps(payload).encode("utf-8"),
        source="bijou-eclat.myshopify.com",
        platform_order_id=str(payload.get("order_id") or payload["id"]),
        now=now,
    )


def rows(sessions: sessionmaker) -> list[PlatformDelivery]:
    with session_scope(sessions) as session:
        statement = select(PlatformDelivery).order_by(PlatformDelivery.id)
        return list(session.execute(statement).scalars())


def order_status(sessions: sessionmaker) -> OrderStatus | None:
    with session_scope(sessions) as session:
        order = find_source_order(session, Platform.SHOPIFY, ORDER_ID)
        return None if order is None else OrderStatus(order.status)


def test_a_delivery_is_applied_once_and_keeps_no_body(sqlite_sessions: sessionmaker) -> None:
    queue(sqlite_sessions, "orders/create", sample("shopify_order_created.json"), "d-1")
    clock = FixedClock(NOW)
    [applied] = apply_due(sqlite_sessions, clock=clock)
    assert applied == Applied(applied.id, DeliveryState.APPLIED, outcome="created")
    assert apply_due(sqlite_sessions, clock=clock) == []
    [row] = rows(sqlite_sessions)
    assert (row.state, row.attempts, row.outcome, row.body) == ("applied", 1, "created", None)
    assert order_status(sqlite_sessions) == OrderStatus.PAYMENT_AUTHORISED


def test_the_same_delivery_id_is_stored_once(sessions: sessionmaker) -> None:
    first = queue(sessions, "orders/create", sample("shopify_order_created.json"), "d-1")
    again = queue(sessions, "orders/create", sample("shopify_order_created.json"), "d-1")
    assert (first.replayed, again.replayed, again.id) == (False, True, first.id)
    woocommerce = queue(
        sessions,
        "order.created",
        sample("woocommerce_order_updated.json"),
        "d-1",
        Platform.WOOCOMMERCE,
    )
    assert not woocommerce.replayed  # delivery ids are the platform's own
    assert len(rows(sessions)) == 2


def test_a_parcel_event_before_its_order_waits_for_it_and_then_ships_it(
    sqlite_sessions: sessionmaker,
) -> None:
    clock = FixedClock(NOW)
    queue(sqlite_sessions, "fulfillments/create", sample("shopify_fulfillment_created.json"), "f")
    [waiting] = apply_due(sqlite_sessions, clock=clock)
    assert waiting.state == DeliveryState.PENDING
    assert waiting.error is not None and "waits for the order" in waiting.error
    [row] = rows(sqlite_sessions)
    assert row.next_attempt_at == NOW + timedelta(seconds=5)
    assert apply_due(sqlite_sessions, clock=clock) == []  # not due yet

    queue(sqlite_sessions, "orders/create", sample("shopify_order_created.json"), "o", now=NOW)
    assert [a.outcome for a in apply_due(sqlite_sessions, clock=clock)] == ["created"]
    clock.set(NOW + timedelta(seconds=5))
    assert [a.outcome for a in apply_due(sqlite_sessions, clock=clock)] == ["updated"]
    assert order_status(sqlite_sessions) == OrderStatus.SHIPPED
    assert [(r.state, r.attempts) for r in rows(sqlite_sessions)] == [
        ("applied", 2),
        ("applied", 1),
    ]


def test_retries_back_off_then_the_delivery_is_kept_failed_with_its_reason(
    sqlite_sessions: sessionmaker,
) -> None:
    clock = FixedClock(NOW)
    queue(sqlite_sessions, "fulfillments/create", sample("shopify_fulfillment_created.json"), "f")
    delays = []
    for _ in range(deliveries.MAX_ATTEMPTS):
        [result] = apply_due(sqlite_sessions, clock=clock)
        [row] = rows(sqlite_sessions)
        delays.append((row.next_attempt_at - clock.now()).total_seconds())
        clock.set(row.next_attempt_at)
    assert delays[:4] == [5, 10, 20, 40] and max(delays) == 3600
    assert result.state == DeliveryState.FAILED
    [row] = rows(sqlite_sessions)
    assert (row.state, row.attempts) == ("failed", deliveries.MAX_ATTEMPTS)
    assert row.body is not None and "is not in the store yet" in str(row.last_error)
    clock.set(NOW + timedelta(days=2))
    assert apply_due(sqlite_sessions, clock=clock) == []


def test_a_delivery_that_can_never_apply_is_kept_failed_at_once(
    sqlite_sessions: sessionmaker,
) -> None:
    queue(sqlite_sessions, "orders/create", sample("shopify_order_created.json"), "first")
    other = sample("woocommerce_order_updated.json")
    other["number"] = "1001"  # the number the Shopify order holds
    queue(sqlite_sessions, "order.created", other, "second", Platform.WOOCOMMERCE)
    results = apply_due(sqlite_sessions, clock=FixedClock(NOW))
    assert [r.state for r in results] == [DeliveryState.APPLIED, DeliveryState.FAILED]
    failed = rows(sqlite_sessions)[1]
    assert (failed.state, failed.attempts) == ("failed", 1)
    assert "order number 1001 already belongs to shopify order" in str(failed.last_error)


def test_an_older_update_after_a_newer_one_changes_nothing(sqlite_sessions: sessionmaker) -> None:
    newer = sample("shopify_order_created.json")
    newer.update(cancelled_at="2026-11-30T12:00:00+01:00", updated_at="2026-11-30T12:00:00+01:00")
    queue(sqlite_sessions, "orders/cancelled", newer, "cancelled")
    queue(sqlite_sessions, "orders/create", sample("shopify_order_created.json"), "created")
    outcomes = [a.outcome for a in apply_due(sqlite_sessions, clock=FixedClock(NOW))]
    assert outcomes == ["created", "stale"]
    assert order_status(sqlite_sessions) == OrderStatus.CANCELLED


def test_a_worker_whose_lease_ran_out_changes_nothing(sqlite_sessions: sessionmaker) -> None:
    """A slow worker's claim was taken over after its lease: only the new holder applies."""
    received = queue(sqlite_sessions, "orders/create", sample("shopify_order_created.json"), "d")
    lease_end = NOW + timedelta(seconds=deliveries.LEASE_S)
    with session_scope(sqlite_sessions) as session:
        assert deliveries.claim(session, received.id, NOW, lease_end, "slow")
    with session_scope(sqlite_sessions) as session:
        assert not deliveries.claim(session, received.id, NOW, lease_end, "other")
    later = FixedClock(lease_end)
    [applied] = apply_due(sqlite_sessions, clock=later)
    assert applied.outcome == "created"
    with session_scope(sqlite_sessions) as session:
        assert deliveries._apply_claimed(session, received.id, "slow", None, NOW) is None
    [row] = rows(sqlite_sessions)
    assert (row.state, row.attempts) == ("applied", 2)


def test_two_workers_never_apply_one_delivery_twice(store_url: str) -> None:
    """Two desks' workers, each with its own engine on one store (SQLite, PostgreSQL), released
    together on forty deliveries: every delivery applied, each by one of them, at first try."""
    url = store_url
    setup = make_engine(url)
    create_schema(setup)
    shared = make_session_factory(setup)
    for number in range(40):
        payload = sample("shopify_order_created.json")
        payload.update(id=9000 + number, order_number=200000 + number, name=f"#{200000 + number}")
        payload["email"] = f"client{number}@example.fr"
        queue(shared, "orders/create", payload, f"d-{number}")
    start = threading.Barrier(2)
    applied: dict[str, list[Applied]] = {}

    def work(name: str) -> None:
        engine = make_engine(url)
        start.wait(timeout=10)
        try:
            applied[name] = apply_due(make_session_factory(engine), clock=FixedClock(NOW))
        finally:
            engine.dispose()

    workers = [threading.Thread(target=work, args=(name,)) for name in ("a", "b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    ids = [result.id for results in applied.values() for result in results]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 40
    assert all(r.outcome == "created" for results in applied.values() for r in results)
    assert {(r.state, r.attempts) for r in rows(shared)} == {("applied", 1)}
    setup.dispose()


def test_one_delivery_received_by_two_desks_at_once_is_stored_once(store_url: str) -> None:
    """The platform sent it again while the first copy was being stored by another desk: the
    unique delivery id lets one copy in, the other is told it is a replay."""
    setup = make_engine(store_url)
    create_schema(setup)
    start = threading.Barrier(4)
    received: list[deliveries.Received] = []

    def desk() -> None:
        engine = make_engine(store_url)
        start.wait(timeout=10)
        try:
            payload = sample("shopify_order_created.json")
            received.append(queue(make_session_factory(engine), "orders/create", payload, "twice"))
        finally:
            engine.dispose()

    desks = [threading.Thread(target=desk) for _ in range(4)]
    for thread in desks:
        thread.start()
    for thread in desks:
        thread.join(timeout=60)
    assert sorted(r.replayed for r in received) == [False, True, True, True]
    assert len({r.id for r in received}) == 1
    assert len(rows(make_session_factory(setup))) == 1
    setup.dispose()


def test_a_failure_that_passes_is_retried_and_then_applied(sqlite_sessions: sessionmaker) -> None:
    """The shop's mappings could not be read on the first try: the delivery waits, with the
    reason, and is applied on the next."""
    queue(sqlite_sessions, "orders/create", sample("shopify_order_created.json"), "d")
    calls: list[Platform] = []

    def settings_for(platform: Platform) -> None:
        calls.append(platform)
        if len(calls) == 1:
            raise OSError("shop mappings unreadable")

    clock = FixedClock(NOW)
    [first] = apply_due(sqlite_sessions, settings_for, clock)
    assert (first.state, first.error) == (
        DeliveryState.PENDING,
        "OSError: shop mappings unreadable",
    )
    clock.set(NOW + timedelta(seconds=5))
    [second] = apply_due(sqlite_sessions, settings_for, clock)
    assert (second.state, second.outcome) == (DeliveryState.APPLIED, "created")
    [row] = rows(sqlite_sessions)
    assert (row.attempts, row.last_error) == (2, None)
