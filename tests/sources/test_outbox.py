"""The outbox: a cancellation of a platform's order reaches the platform once, whatever fails.

The platforms are played by ``fake_platforms`` (a local HTTP server checking each request
against the documented formats); the store is a real SQLite file (and PostgreSQL for the
transaction test).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from shop.assistant import ShopContext, confirm_cancellation
from shop.clock import FixedClock
from shop.policy.profile import load_profile
from shop.sources import platforms
from shop.sources.ingest import find_source_order, ingest_order
from shop.sources.outbox import Backoff, Sender
from shop.sources.platforms import Connection
from shop.sources.prestashop import order_from_prestashop
from shop.sources.record import Platform
from shop.sources.shopify import order_from_shopify
from shop.store import platform_requests, repository
from shop.store.db import session_scope
from shop.store.models import Order, OrderStatus, Ticket
from shop.store.platform_requests import PlatformRequest, RequestKind, RequestState
from tests.sources.conftest import mappings, sample, stored_woocommerce_order
from tests.sources.fake_platforms import (
    PRESTASHOP_KEY,
    SHOPIFY_TOKEN,
    WOO_KEY,
    WOO_SECRET,
    FakePlatforms,
)

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)
MONDAY = datetime(2026, 11, 30, 9, 30, tzinfo=timezone.utc)  # before the cancellation cut-off
PROFILE = load_profile("knowledge/shops/bijou_eclat.yml")


def connections(fake: FakePlatforms) -> dict[str, Connection]:
    return {
        "shopify": Connection(Platform.SHOPIFY, fake.url, SHOPIFY_TOKEN),
        "woocommerce": Connection(Platform.WOOCOMMERCE, fake.url, WOO_SECRET, key=WOO_KEY),
        "prestashop": Connection(Platform.PRESTASHOP, fake.url, PRESTASHOP_KEY),
    }


def sender(sessions: sessionmaker, fake: FakePlatforms, clock: FixedClock) -> Sender:
    return Sender(
        sessions=sessions,
        connections=connections(fake),
        clock=clock,
        profile=PROFILE,
        backoff=Backoff(base_seconds=10, cap_seconds=600),
        rng=random.Random(7),
    )


def stored_shopify_order(sessions: sessionmaker, fake: FakePlatforms) -> Order:
    """Shopify's sample order, in the store and on the played Shopify (not yet cancelled)."""
    payload = sample("shopify_order_created.json")
    with session_scope(sessions) as session:
        ingest_order(session, order_from_shopify(payload, mappings(Platform.SHOPIFY)))
        order = find_source_order(session, Platform.SHOPIFY, str(payload["id"]))
        assert order is not None
    fake.state.shopify_orders[str(payload["id"])] = {"id": payload["id"], "cancelled_at": None}
    return order


def cancel_locally(sessions: sessionmaker, order: Order) -> None:
    with session_scope(sessions) as session:
        repository.cancel_order(session, order, NOW)


def requests(sessions: sessionmaker) -> list[PlatformRequest]:
    with session_scope(sessions) as session:
        return list(session.execute(select(PlatformRequest)).scalars())


def test_cancelling_a_platform_order_queues_one_request_in_the_same_transaction(
    sessions: sessionmaker, fake: FakePlatforms
) -> None:
    order = stored_shopify_order(sessions, fake)
    cancel_locally(sessions, order)
    [request] = requests(sessions)
    assert (request.kind, request.platform, request.state) == ("cancel", "shopify", "pending")
    assert request.platform_order_id == order.platform_order_id
    assert len(request.idempotency_key) == 32


def test_the_local_cancel_and_its_request_are_stored_together_or_not_at_all(
    sessions: sessionmaker, fake: FakePlatforms
) -> None:
    order = stored_shopify_order(sessions, fake)
    with pytest.raises(RuntimeError), session_scope(sessions) as session:
        repository.cancel_order(session, order, NOW)
        assert len(list(session.execute(select(PlatformRequest)).scalars())) == 1
        raise RuntimeError("the process dies before the commit")
    assert requests(sessions) == []
    with session_scope(sessions) as session:
        assert session.get(Order, order.id).status == OrderStatus.PAYMENT_AUTHORISED


def test_an_order_made_in_the_store_queues_nothing(
    sqlite_sessions: sessionmaker, fake: FakePlatforms
) -> None:
    order = stored_shopify_order(sqlite_sessions, fake)
    with session_scope(sqlite_sessions) as session:
        made_here = session.get(Order, order.id)
        made_here.platform = made_here.platform_order_id = None
    cancel_locally(sqlite_sessions, order)
    assert requests(sqlite_sessions) == []


def test_the_shopper_hears_the_cancellation_requested_not_done_for_a_platform_order(
    sqlite_sessions: sessionmaker, fake: FakePlatforms
) -> None:
    order = stored_woocommerce_order(sqlite_sessions, fake, "processing")
    ctx = ShopContext(sessions=sqlite_sessions, profile=PROFILE, clock=FixedClock(MONDAY))
    answer = confirm_cancellation(ctx, order.number, order.customer.email)
    assert answer.text.startswith(
        f"C'est noté : j'ai demandé l'annulation de votre commande {order.number}. Notre "
        "boutique l'enregistre dans les prochaines minutes"
    )
    assert "Une fois l'annulation enregistrée, le remboursement de" in answer.text
    assert "C'est fait" not in answer.text
    assert [r.kind for r in requests(sqlite_sessions)] == ["cancel"]


def test_a_request_is_retried_with_backoff_until_the_platform_confirms_and_sent_once(
    sqlite_sessions: sessionmaker, fake: FakePlatforms
) -> None:
    order = stored_shopify_order(sqlite_sessions, fake)
    cancel_locally(sqlite_sessions, order)
    clock = FixedClock(NOW)
    outbox = sender(sqlite_sessions, fake, clock)
    fake.fail_next(3, status=503)

    waits = []
    for _ in range(3):
        report = outbox.send_due()
        assert report.retrying and not report.confirmed
        [request] = requests(sqlite_sessions)
        waits.append((request.next_attempt_at - clock.now()).total_seconds())
        assert "HTTP 503" in request.last_error
        assert outbox.send_due().retrying == []  # not due before its backoff ends
        clock.set(request.next_attempt_at)
    assert 5 <= waits[0] <= 10 and 10 <= waits[1] <= 20 and 20 <= waits[2] <= 40

    report = outbox.send_due()
    assert [line.split(":")[-1].strip() for line in report.confirmed] == [
        "confirmed by the platform"
    ]
    [request] = requests(sqlite_sessions)
    assert (request.state, request.attempts) == ("confirmed", 4)
    assert fake.applied("cancel") == [("shopify", "cancel", order.platform_order_id)]
    clock.set(clock.now() + timedelta(days=1))
    assert outbox.send_due().lines() == []
    assert len(fake.applied("cancel")) == 1


def test_a_lost_answer_is_retried_without_cancelling_twice(
    sqlite_sessions: sessionmaker, fake: FakePlatforms
) -> None:
    order = stored_shopify_order(sqlite_sessions, fake)
    cancel_locally(sqlite_sessions, order)
    clock = FixedClock(NOW)
    outbox = sender(sqlite_sessions, fake, clock)
    fake.lose_next_answers(1)

    assert outbox.send_due().retrying  # the platform cancelled, its answer never came
    [request] = requests(sqlite_sessions)
    clock.set(request.next_attempt_at)
    report = outbox.send_due()
    assert report.confirmed == [
        f"cancel of shopify order {order.platform_order_id}: already cancelled on Shopify "
        "at 2026-12-02T10:00:00+01:00"
    ]
    assert len(fake.applied("cancel")) == 1
    cancels = [r for r in fake.state.requests if r.method == "POST"]
    assert len(cancels) == 1


def test_a_rate_limited_request_waits_at_least_what_the_platform_asks(
    sqlite_sessions: sessionmaker, fake: FakePlatforms
) -> None:
    order = stored_shopify_order(sqlite_sessions, fake)
    cancel_locally(sqlite_sessions, order)
    clock = FixedClock(NOW)
    fake.fail_next(1, status=429, headers={"Retry-After": "120"})
    sender(sqlite_sessions, fake, clock).send_due()
    [request] = requests(sqlite_sessions)
    assert request.next_attempt_at - NOW >= timedelta(seconds=120)
    assert request.state == "pending"


def test_a_permanent_refusal_is_kept_with_its_reason_and_a_ticket_for_an_agent(
    sqlite_sessions: sessionmaker, fake: FakePlatforms
) -> None:
    order = stored_shopify_order(sqlite_sessions, fake)
    fake.state.shopify_orders[order.platform_order_id]["fulfillment_status"] = "fulfilled"
    cancel_locally(sqlite_sessions, order)
    clock = FixedClock(NOW)
    outbox = sender(sqlite_sessions, fake, clock)

    report = outbox.send_due()
    assert len(report.refused) == 1
    [request] = requests(sqlite_sessions)
    assert request.state == RequestState.REFUSED.value
    assert request.last_error == "HTTP 422: {'base': ['Cannot cancel a fulfilled order']}"
    with session_scope(sqlite_sessions) as session:
        [ticket] = session.execute(select(Ticket)).scalars().all()
        assert (ticket.kind, ticket.priority, ticket.order_id) == ("platform_refused", 1, order.id)
        assert ticket.facts["platform_reason"] == request.last_error
        assert request.note == f"ticket {ticket.number}"
    clock.set(NOW + timedelta(days=1))
    assert outbox.send_due().lines() == []  # never sent again
    assert fake.applied() == []


def test_a_wrong_access_token_is_refused_for_good_not_retried_forever(
    sqlite_sessions: sessionmaker, fake: FakePlatforms
) -> None:
    order = stored_shopify_order(sqlite_sessions, fake)
    cancel_locally(sqlite_sessions, order)
    outbox = sender(sqlite_sessions, fake, FixedClock(NOW))
    outbox.connections = {"shopify": Connection(Platform.SHOPIFY, fake.url, "shpat_wrong")}
    outbox.send_due()
    [request] = requests(sqlite_sessions)
    assert request.state == "refused"
    assert request.last_error.startswith("HTTP 401: [API] Invalid API key or access token")


def test_woocommerce_cancels_by_status_and_skips_an_order_already_cancelled(
    sqlite_sessions: sessionmaker, fake: FakePlatforms
) -> None:
    order = stored_woocommerce_order(sqlite_sessions, fake, "processing")
    cancel_locally(sqlite_sessions, order)
    clock = FixedClock(NOW)
    outbox = sender(sqlite_sessions, fake, clock)
    fake.fail_next(1, status=500)
    fake.lose_next_answers(1)
    outbox.send_due()  # 500
    clock.set(requests(sqlite_sessions)[0].next_attempt_at)
    outbox.send_due()  # applied, answer lost
    clock.set(requests(sqlite_sessions)[0].next_attempt_at)
    report = outbox.send_due()
    assert report.confirmed[0].endswith("already cancelled on WooCommerce")
    assert fake.state.woo_orders[order.platform_order_id]["status"] == "cancelled"
    assert fake.applied() == [("woocommerce", "cancelled", order.platform_order_id)]


def test_prestashop_cancels_through_a_new_order_history(
    sqlite_sessions: sessionmaker, fake: FakePlatforms
) -> None:
    payload = sample("prestashop_order.json")
    payload["order"]["current_state"] = "3"  # being prepared, no parcel yet
    payload["order"]["shipping_number"] = ""
    record = order_from_prestashop(
        payload, sample("prestashop_customer.json"), mappings(Platform.PRESTASHOP)
    )
    with session_scope(sqlite_sessions) as session:
        ingest_order(session, record)
        order = find_source_order(session, Platform.PRESTASHOP, "5")
    fake.state.presta_orders["5"] = dict(payload["order"])
    cancel_locally(sqlite_sessions, order)
    report = sender(sqlite_sessions, fake, FixedClock(NOW)).send_due()
    assert report.confirmed == ["cancel of prestashop order 5: confirmed by the platform"]
    assert fake.state.presta_orders["5"]["current_state"] == "6"
    assert fake.applied() == [("prestashop", "state 6", "5")]


def test_a_woocommerce_return_becomes_one_private_note_with_its_key(
    sqlite_sessions: sessionmaker, fake: FakePlatforms
) -> None:
    order = stored_woocommerce_order(sqlite_sessions, fake, "completed")
    with session_scope(sqlite_sessions) as session:
        request = platform_requests.request_for(
            session, order, RequestKind.RETURN, NOW, {"items": ["Bague Lina"]}
        )
        key = request.idempotency_key
    clock = FixedClock(NOW)
    outbox = sender(sqlite_sessions, fake, clock)
    fake.lose_next_answers(1)
    outbox.send_due()
    clock.set(requests(sqlite_sessions)[0].next_attempt_at)
    report = outbox.send_due()
    assert report.confirmed[0].endswith("the return note is already on the WooCommerce order")
    [note] = fake.state.woo_notes[order.platform_order_id]
    assert note["customer_note"] is False
    assert note["note"] == (
        f"Retour demandé par le client via l'assistant : Bague Lina. [bijou-assistant {key}]"
    )


def test_a_shopify_return_is_kept_for_an_agent_rest_has_no_returns(
    sqlite_sessions: sessionmaker, fake: FakePlatforms
) -> None:
    order = stored_shopify_order(sqlite_sessions, fake)
    with session_scope(sqlite_sessions) as session:
        platform_requests.request_for(session, order, RequestKind.RETURN, NOW)
    report = sender(sqlite_sessions, fake, FixedClock(NOW)).send_due()
    assert "has no returns" in report.refused[0]
    assert [r.method for r in fake.state.requests] == []  # nothing sent to Shopify


def test_two_senders_never_send_the_same_request(
    sqlite_sessions: sessionmaker, fake: FakePlatforms
) -> None:
    order = stored_shopify_order(sqlite_sessions, fake)
    cancel_locally(sqlite_sessions, order)
    [request] = requests(sqlite_sessions)
    with session_scope(sqlite_sessions) as session:
        lease = NOW + timedelta(minutes=2)
        assert platform_requests.claim(session, request.id, NOW, lease)
    # the first sender died holding it: the second waits for the lease to end
    assert sender(sqlite_sessions, fake, FixedClock(NOW)).send_due().lines() == []
    report = sender(sqlite_sessions, fake, FixedClock(lease)).send_due()
    assert len(report.confirmed) == 1 and len(fake.applied()) == 1


def test_woocommerce_secrets_never_go_in_clear_to_another_host() -> None:
    remote = Connection(Platform.WOOCOMMERCE, "http://shop.example", WOO_SECRET, key=WOO_KEY)
    with pytest.raises(platforms.Refused, match="needs HTTPS"):
        remote.client()


def test_a_pass_asked_to_stop_sends_nothing_more_and_leaves_the_rest_due(
    sqlite_sessions: sessionmaker, fake: FakePlatforms
) -> None:
    cancel_locally(sqlite_sessions, stored_shopify_order(sqlite_sessions, fake))
    cancel_locally(sqlite_sessions, stored_woocommerce_order(sqlite_sessions, fake, "processing"))
    outbox = sender(sqlite_sessions, fake, FixedClock(NOW))
    asked = iter([False, True])  # SIGTERM arrives while the first request is sent
    report = outbox.send_due(stopping=lambda: next(asked))
    assert len(report.confirmed) == 1 and len(fake.applied()) == 1
    assert sorted(r.state for r in requests(sqlite_sessions)) == ["confirmed", "pending"]
    assert len(outbox.send_due().confirmed) == 1  # the next sender's pass takes the rest
    assert len(fake.applied()) == 2
