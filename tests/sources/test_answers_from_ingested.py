"""An order brought in from the platform is answered by the assistant's use cases and the
policy engine exactly like one made in the store: status, parcel, cancellation, returns."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy.orm import sessionmaker

from devtools.servers import ROOT
from shop.assistant import (
    Reply,
    ShopContext,
    answer_cancellation,
    answer_return,
    answer_tracking,
    confirm_cancellation,
    request_return,
)
from shop.clock import FixedClock
from shop.policy.profile import ShopProfile, load_profile
from shop.policy.returns import decide_return
from shop.policy.tracking import describe_tracking
from shop.sources.ingest import find_source_order, ingest_fulfilment, ingest_order
from shop.sources.record import Platform
from shop.sources.shopify import fulfilment_from_shopify, order_from_shopify, restatus_with
from shop.sources.woocommerce import order_from_woocommerce
from shop.store.db import session_scope
from shop.store.models import OrderStatus
from shop.store.platform_requests import requests_for_order
from tests.sources.conftest import mappings, sample

UTC = timezone.utc
SHOPIFY = mappings(Platform.SHOPIFY)
WOOCOMMERCE = mappings(Platform.WOOCOMMERCE)
EMAIL = "julien.moreau@example.fr"
# Monday 30 November 2026, 10:30 in Paris: the WooCommerce order was placed at 09:40.
MONDAY_MORNING = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def profile() -> ShopProfile:
    return load_profile(ROOT / "knowledge" / "shops" / "bijou_eclat.yml")


def context(sessions: sessionmaker, profile: ShopProfile, now: datetime) -> ShopContext:
    return ShopContext(sessions=sessions, profile=profile, clock=FixedClock(now))


def ingest_woocommerce(sessions: sessionmaker, payload: dict) -> None:
    with session_scope(sessions) as session:
        ingest_order(session, order_from_woocommerce(payload, WOOCOMMERCE))


def test_a_paid_woocommerce_order_is_told_paid_and_can_be_cancelled_before_the_cutoff(
    sessions: sessionmaker, profile: ShopProfile
) -> None:
    ingest_woocommerce(sessions, sample("woocommerce_order_updated.json"))
    ctx = context(sessions, profile, MONDAY_MORNING)

    tracking = answer_tracking(ctx, "104 512", "Julien.Moreau@example.fr")
    assert tracking.decision is not None
    assert tracking.decision.reason_code == "payment_authorised"
    assert tracking.text.startswith("Le paiement de votre commande 104512 est validé")

    cancellation = answer_cancellation(ctx, "104512", EMAIL)
    assert cancellation.decision is not None
    assert cancellation.decision.reason_code == "before_cutoff"
    assert "jusqu'au lundi 30 novembre à 13h" in cancellation.text
    assert "151,90\u00a0€" in cancellation.text
    confirmed = confirm_cancellation(ctx, "104512", EMAIL)
    assert confirmed.decision is not None and confirmed.decision.outcome == "allowed"
    with session_scope(sessions) as session:
        order = find_source_order(session, Platform.WOOCOMMERCE, "104512")
        assert order is not None and order.status == OrderStatus.CANCELLED


def test_a_wrong_email_for_an_ingested_order_gets_the_unknown_order_answer(
    sessions: sessionmaker, profile: ShopProfile
) -> None:
    ingest_woocommerce(sessions, sample("woocommerce_order_updated.json"))
    ctx = context(sessions, profile, MONDAY_MORNING)
    wrong = answer_tracking(ctx, "104512", "someone.else@example.fr")
    assert wrong.decision is None
    assert wrong.text.startswith("Je ne trouve pas de commande correspondant")


def test_once_the_platform_ships_the_answer_gives_the_parcel(
    sessions: sessionmaker, profile: ShopProfile
) -> None:
    ingest_woocommerce(sessions, sample("woocommerce_order_updated.json"))
    shipped = sample("woocommerce_order_updated.json")
    shipped.update(status="completed", date_modified_gmt="2026-12-01T15:00:00")
    shipped["meta_data"].append(
        {
            "id": 9002,
            "key": "_wc_shipment_tracking_items",
            "value": [
                {
                    "tracking_provider": "Mondial Relay",
                    "tracking_number": "48613390",
                    "date_shipped": "2026-12-01 14:30:00",
                    "tracking_id": "a1b2c3",
                }
            ],
        }
    )
    ingest_woocommerce(sessions, shipped)
    ctx = context(sessions, profile, datetime(2026, 12, 2, 9, 0, tzinfo=UTC))

    tracking = answer_tracking(ctx, "104512", EMAIL)
    assert tracking.decision is not None
    assert tracking.decision.reason_code == "in_transit"
    assert "48613390" in tracking.text and "Mondial Relay" in tracking.text
    refused = answer_cancellation(ctx, "104512", EMAIL)
    assert refused.decision is not None and refused.decision.reason_code == "already_shipped"


SHOPIFY_EMAIL = "claire.dupont@example.fr"  # the Shopify sample's customer
ON_TUESDAY = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
ON_FRIDAY = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


def shopify_decisions(
    sessions: sessionmaker, profile: ShopProfile, now: datetime
) -> tuple[str, str]:
    with session_scope(sessions) as session:
        order = find_source_order(session, Platform.SHOPIFY, "5829461459001")
        assert order is not None
        return (
            describe_tracking(order, profile, now).reason_code,
            decide_return(order, profile, now).reason_code,
        )


def ingest_shopify_fulfilment(sessions: sessionmaker, **changes: str) -> None:
    fulfilment = dict(sample("shopify_fulfillment_created.json"), **changes)
    with session_scope(sessions) as session:
        event = fulfilment_from_shopify(fulfilment, SHOPIFY)
        ingest_fulfilment(session, event, restatus_with(SHOPIFY))


def ingest_delivered_shopify_order(sessions: sessionmaker) -> None:
    """Shopify's sample order #1001, delivered on 2 December."""
    with session_scope(sessions) as session:
        ingest_order(session, order_from_shopify(sample("shopify_order_created.json"), SHOPIFY))
    ingest_shopify_fulfilment(
        sessions, shipment_status="delivered", updated_at="2026-12-02T10:00:00+01:00"
    )


def test_a_shopify_order_follows_its_fulfilments_in_the_policy_engine(
    sessions: sessionmaker, profile: ShopProfile
) -> None:
    with session_scope(sessions) as session:
        ingest_order(session, order_from_shopify(sample("shopify_order_created.json"), SHOPIFY))
    assert shopify_decisions(sessions, profile, ON_TUESDAY) == (
        "payment_authorised",
        "not_delivered_yet",
    )
    ingest_shopify_fulfilment(sessions)
    assert shopify_decisions(sessions, profile, ON_TUESDAY) == ("in_transit", "not_delivered_yet")
    ingest_shopify_fulfilment(
        sessions, shipment_status="delivered", updated_at="2026-12-02T10:00:00+01:00"
    )
    assert shopify_decisions(sessions, profile, ON_FRIDAY) == ("delivered", "partly_eligible")
    with session_scope(sessions) as session:
        order = find_source_order(session, Platform.SHOPIFY, "5829461459001")
        assert order is not None
        lines = decide_return(order, profile, ON_FRIDAY).facts["lines"]
    assert [(line["title"], line["reason"]) for line in lines] == [
        ("Bague Solitaire Or", "engraved"),
        ("Boucles d'oreilles Perle", "earrings_hygiene"),
    ]


def test_a_granted_return_of_a_platform_order_is_asked_of_the_platform_once(
    sessions: sessionmaker, profile: ShopProfile
) -> None:
    ingest_delivered_shopify_order(sessions)
    ctx = context(sessions, profile, ON_FRIDAY)

    offered = answer_return(ctx, "#1001", SHOPIFY_EMAIL)  # Shopify's own number
    assert offered.pending_confirmation == "return_item"
    assert offered.replies[-1] == Reply(
        "Voulez-vous que je demande ce retour à la boutique maintenant ?",
        (("Oui, demander le retour", "/affirm"), ("Non, pas maintenant", "/deny")),
    )

    requested = request_return(ctx, "1001", SHOPIFY_EMAIL)
    with session_scope(sessions) as session:
        order = find_source_order(session, Platform.SHOPIFY, "5829461459001")
        assert order is not None
        eligible = [
            line["title"]
            for line in decide_return(order, profile, ON_FRIDAY).facts["lines"]
            if line["eligible"]
        ]
        queued = [(r.kind, r.state, r.details) for r in requests_for_order(session, order.id)]
    assert eligible, "the sample order has an article the rules let the shopper return"
    assert queued == [("return", "pending", {"items": eligible})]
    assert requested.text.startswith(
        "C'est noté : j'ai demandé à la boutique le retour de votre commande 1001 ("
    )
    assert all(title in requested.text for title in eligible)

    again = request_return(ctx, "1001", SHOPIFY_EMAIL)
    assert "déjà demandé" in again.text
    with session_scope(sessions) as session:
        assert len(requests_for_order(session, order.id)) == 1


def test_an_order_made_in_the_store_gets_no_platform_question(
    sessions: sessionmaker, profile: ShopProfile
) -> None:
    """The product's own orders have no platform to ask: the answer stays the rules' answer."""
    ingest_delivered_shopify_order(sessions)
    with session_scope(sessions) as session:
        order = find_source_order(session, Platform.SHOPIFY, "5829461459001")
        assert order is not None
        order.platform = None  # as if made here
    answer = answer_return(context(sessions, profile, ON_FRIDAY), "1001", SHOPIFY_EMAIL)
    assert answer.decision is not None and answer.decision.reason_code == "partly_eligible"
    assert answer.pending_confirmation is None
