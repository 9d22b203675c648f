"""A cancellation made here and still waiting in the outbox is not silently undone by a newer
event from the platform that does not know of it yet: the order stays cancelled, the request
says why, and the outbox still sends it. When the platform shipped the order first, the
platform's facts win, the cancellation is never sent, and an agent gets one ticket. On SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from shop.clock import FixedClock
from shop.policy.profile import load_profile
from shop.sources.ingest import IngestResult, find_source_order, ingest_fulfilment, ingest_order
from shop.sources.outbox import Sender
from shop.sources.platforms import Connection
from shop.sources.record import Platform, SourceOrder
from shop.sources.shopify import fulfilment_from_shopify, restatus_with
from shop.store import repository
from shop.store.db import session_scope
from shop.store.models import Order, OrderStatus, Ticket
from shop.store.platform_requests import PlatformRequest, RequestState
from tests.sources.conftest import mappings, sample, shopify_order
from tests.sources.fake_platforms import SHOPIFY_TOKEN, FakePlatforms

SHOPIFY = mappings(Platform.SHOPIFY)
ORDER_ID = "5829461459001"
CANCELLED_HERE = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
LATER = "2026-11-30T15:00:00+01:00"  # the platform's next event, after the cancellation here
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
PROFILE = load_profile("knowledge/shops/bijou_eclat.yml")


def ingest(sessions: sessionmaker, record: SourceOrder) -> IngestResult:
    with session_scope(sessions) as session:
        return ingest_order(session, record)


def cancelled_here(sessions: sessionmaker) -> None:
    """The sample order in the store, then cancelled by the bot: its request waits."""
    ingest(sessions, shopify_order())
    with session_scope(sessions) as session:
        order = find_source_order(session, Platform.SHOPIFY, ORDER_ID)
        assert order is not None
        repository.cancel_order(session, order, CANCELLED_HERE)


def order_and_request(sessions: sessionmaker) -> tuple[Order, PlatformRequest]:
    with session_scope(sessions) as session:
        order = find_source_order(session, Platform.SHOPIFY, ORDER_ID)
        (request,) = session.execute(select(PlatformRequest)).scalars()
        assert order is not None
        return order, request


def sender(sessions: sessionmaker, fake: FakePlatforms) -> Sender:
    connection = Connection(Platform.SHOPIFY, fake.url, SHOPIFY_TOKEN)
    return Sender(sessions, {"shopify": connection}, FixedClock(NOW), profile=PROFILE)


def test_a_newer_event_unaware_of_the_cancellation_leaves_the_order_cancelled(
    sessions: sessionmaker, fake: FakePlatforms
) -> None:
    cancelled_here(sessions)
    edited = shopify_order(updated_at=LATER, note="Paquet cadeau, merci")  # still "paid"
    result = ingest(sessions, edited)
    assert result.status == "cancelled"
    assert any("kept cancelled here" in note for note in result.notes)
    order, request = order_and_request(sessions)
    assert order.status == OrderStatus.CANCELLED
    assert (order.cancelled_at, order.status_changed_at) == (CANCELLED_HERE, CANCELLED_HERE)
    assert order.source_status == edited.raw_status  # what the platform says, kept beside
    assert request.state == RequestState.PENDING.value  # still to send
    assert "before this cancellation reached it: kept cancelled here" in str(request.note)

    fake.state.shopify_orders[ORDER_ID] = {"id": int(ORDER_ID), "cancelled_at": None}
    report = sender(sessions, fake).send_due()
    assert len(report.confirmed) == 1
    assert fake.applied() == [("shopify", "cancel", ORDER_ID)]
    assert order_and_request(sessions)[1].state == RequestState.CONFIRMED.value


def test_the_platforms_own_cancellation_agrees_and_the_request_confirms_without_sending(
    sessions: sessionmaker, fake: FakePlatforms
) -> None:
    cancelled_here(sessions)
    result = ingest(
        sessions,
        shopify_order(updated_at=LATER, cancelled_at=LATER, financial_status="refunded"),
    )
    assert not any("cancel" in note for note in result.notes)
    order, request = order_and_request(sessions)
    assert order.status == OrderStatus.CANCELLED
    assert (request.state, request.note) == (RequestState.PENDING.value, None)
    fake.state.shopify_orders[ORDER_ID] = {"id": int(ORDER_ID), "cancelled_at": LATER}
    report = sender(sessions, fake).send_due()
    assert report.confirmed == [
        f"cancel of shopify order {ORDER_ID}: already cancelled on Shopify at {LATER}"
    ]
    assert fake.applied() == []


def test_an_order_the_platform_shipped_first_follows_the_platform_and_goes_to_an_agent(
    sessions: sessionmaker, fake: FakePlatforms
) -> None:
    cancelled_here(sessions)
    result = ingest(sessions, shopify_order(updated_at=LATER, fulfillment_status="fulfilled"))
    assert any("was not sent: the platform shipped the order first" in n for n in result.notes)
    order, request = order_and_request(sessions)
    assert order.status == OrderStatus.SHIPPED and order.cancelled_at is None
    assert request.state == RequestState.REFUSED.value
    assert "shipped the order" in str(request.last_error) and request.note is None

    outbox = sender(sessions, fake)
    report = outbox.send_due()
    assert len(report.refused) == 1 and report.confirmed == report.retrying == []
    assert fake.applied() == [] and fake.state.requests == []  # nothing sent to Shopify
    with session_scope(sessions) as session:
        (ticket,) = session.execute(select(Ticket)).scalars()
        assert (ticket.kind, ticket.order_id, ticket.priority) == (
            "platform_refused",
            order.id,
            1,
        )
        assert "shipped the order" in ticket.facts["platform_reason"]
    assert order_and_request(sessions)[1].note == f"ticket {ticket.number}"
    assert outbox.send_due().lines() == []  # one ticket, once


def test_a_parcel_event_while_the_cancellation_waits_gives_it_up_too(
    sessions: sessionmaker,
) -> None:
    cancelled_here(sessions)
    event = fulfilment_from_shopify(sample("shopify_fulfillment_created.json"), SHOPIFY)
    with session_scope(sessions) as session:
        result = ingest_fulfilment(session, event, restatus_with(SHOPIFY))
    assert any("was not sent" in note for note in result.notes)
    order, request = order_and_request(sessions)
    assert order.status == OrderStatus.SHIPPED and order.cancelled_at is None
    assert request.state == RequestState.REFUSED.value
