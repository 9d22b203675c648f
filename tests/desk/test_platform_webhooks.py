"""Shopify and WooCommerce webhooks posted, signed as each platform signs them, to the real
desk app on a real SQLite store: what is refused stores nothing, what is accepted is queued,
acknowledged, and applied to the order store by the desk's worker."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from devtools.servers import ROOT
from shop.sources.deliveries import apply_due
from shop.sources.ingest import find_source_order
from shop.sources.record import Platform
from shop.store.db import session_scope
from shop.store.models import Order, OrderStatus
from shop.store.platform_deliveries import PlatformDelivery
from tests.sources.conftest import sample

SHOPIFY_SECRET = "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"
WOOCOMMERCE_SECRET = "wc-secret: j7#Qp!2z"
SHOP_DOMAIN = "bijou-eclat.myshopify.com"
SHOPIFY_ORDER_ID = "5829461459001"


def sign(secret: str, body: bytes) -> str:
    """As Shopify and WooCommerce document it: base64 of the body's HMAC-SHA256."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def shopify_headers(body: bytes, topic: str, delivery: str, **changes: str) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign(SHOPIFY_SECRET, body),
        "X-Shopify-Shop-Domain": SHOP_DOMAIN,
        "X-Shopify-Webhook-Id": delivery,
        "X-Shopify-API-Version": "2025-10",
        "X-Shopify-Triggered-At": "2026-11-30T09:12:46.123Z",
    }
    headers.update(changes)
    return {name: value for name, value in headers.items() if value}


def woocommerce_headers(body: bytes, topic: str, delivery: str, **changes: str) -> dict[str, str]:
    resource, event = topic.split(".")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "WooCommerce/9.4.2 Hookshot (WordPress/6.7)",
        "X-WC-Webhook-Source": "https://bijou-eclat.example/",
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": resource,
        "X-WC-Webhook-Event": event,
        "X-WC-Webhook-Signature": sign(WOOCOMMERCE_SECRET, body),
        "X-WC-Webhook-ID": "12",
        "X-WC-Webhook-Delivery-ID": delivery,
    }
    headers.update(changes)
    return {name: value for name, value in headers.items() if value}


def body_of(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


@pytest.fixture()
def webhooks(make_client: Callable[..., TestClient]) -> TestClient:
    """The desk with both platforms on and its worker off: tests apply the queue themselves."""
    return make_client(
        shopify_webhook_secret=SHOPIFY_SECRET,
        woocommerce_webhook_secret=WOOCOMMERCE_SECRET,
        webhook_apply_s=0,
    )


def post_shopify(
    client: TestClient, topic: str, payload: Any, delivery: str = "d-1", **headers: str
) -> Any:
    body = payload if isinstance(payload, bytes) else body_of(payload)
    return client.post(
        "/webhooks/shopify", content=body, headers=shopify_headers(body, topic, delivery, **headers)
    )


def post_woocommerce(
    client: TestClient, topic: str, payload: Any, delivery: str = "w-1", **headers: str
) -> Any:
    body = payload if isinstance(payload, bytes) else body_of(payload)
    return client.post(
        "/webhooks/woocommerce",
        content=body,
        headers=woocommerce_headers(body, topic, delivery, **headers),
    )


def deliveries(db: sessionmaker) -> list[PlatformDelivery]:
    with session_scope(db) as session:
        return list(
            session.execute(select(PlatformDelivery).order_by(PlatformDelivery.id)).scalars()
        )


def platform_orders(db: sessionmaker) -> int:
    with session_scope(db) as session:
        query = select(func.count()).select_from(Order).where(Order.platform.is_not(None))
        return int(session.execute(query).scalar_one())


def shopify_order(db: sessionmaker) -> Order | None:
    with session_scope(db) as session:
        return find_source_order(session, Platform.SHOPIFY, SHOPIFY_ORDER_ID)


def test_a_signed_order_is_acknowledged_at_once_then_applied_by_the_desk_worker(
    make_client: Callable[..., TestClient], db: sessionmaker
) -> None:
    client = make_client(shopify_webhook_secret=SHOPIFY_SECRET, webhook_apply_s=30)
    response = post_shopify(client, "orders/create", sample("shopify_order_created.json"))
    assert response.status_code == 202
    assert response.json() == {"delivery": "d-1", "status": "queued"}
    deadline = time.monotonic() + 10  # woken by the route, not by its 30 s pass
    while shopify_order(db) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    order = shopify_order(db)
    assert order is not None
    assert (order.number, order.status) == ("1001", OrderStatus.PAYMENT_AUTHORISED)
    [delivery] = deliveries(db)
    assert (delivery.state, delivery.outcome, delivery.source) == (
        "applied",
        "created",
        SHOP_DOMAIN,
    )
    assert delivery.body is None  # the order store holds what it said


def test_a_fulfilment_webhook_ships_the_order(webhooks: TestClient, db: sessionmaker) -> None:
    post_shopify(webhooks, "orders/create", sample("shopify_order_created.json"), "order")
    fulfilment = sample("shopify_fulfillment_created.json")
    response = post_shopify(webhooks, "fulfillments/create", fulfilment, "parcel")
    assert response.status_code == 202
    assert [a.outcome for a in apply_due(db)] == ["created", "updated"]
    with session_scope(db) as session:
        order = find_source_order(session, Platform.SHOPIFY, SHOPIFY_ORDER_ID)
        assert order is not None and order.status == OrderStatus.SHIPPED
        assert [s.tracking_number for s in order.shipments] == ["6A20011234567"]


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Shopify-Hmac-Sha256": ""},
        {"X-Shopify-Hmac-Sha256": sign("another-secret", b"{}")},
        {"X-Shopify-Hmac-Sha256": "not base64 at all!"},
    ],
    ids=["missing", "wrong", "garbage"],
)
def test_a_shopify_delivery_without_the_right_signature_is_refused_and_stores_nothing(
    webhooks: TestClient, db: sessionmaker, headers: dict[str, str]
) -> None:
    response = post_shopify(
        webhooks, "orders/create", sample("shopify_order_created.json"), **headers
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "missing or invalid X-Shopify-Hmac-Sha256 signature"
    assert deliveries(db) == [] and platform_orders(db) == 0


def test_a_body_changed_after_signing_is_refused(webhooks: TestClient, db: sessionmaker) -> None:
    body = body_of(sample("shopify_order_created.json"))
    headers = shopify_headers(body, "orders/create", "d-1")
    tampered = body.replace(b'"919.00"', b'"9.19"')
    response = webhooks.post("/webhooks/shopify", content=tampered, headers=headers)
    assert response.status_code == 401
    assert deliveries(db) == []


def test_a_woocommerce_delivery_with_a_wrong_signature_is_refused(
    webhooks: TestClient, db: sessionmaker
) -> None:
    wrong = sign(SHOPIFY_SECRET, b"x")
    response = post_woocommerce(
        webhooks,
        "order.created",
        sample("woocommerce_order_updated.json"),
        **{"X-WC-Webhook-Signature": wrong},
    )
    assert response.status_code == 401
    assert deliveries(db) == [] and platform_orders(db) == 0


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda p: p.pop("email") and p.pop("contact_email") and p.pop("customer"), "email"),
        (lambda p: p.update(total_price="neuf cents"), "total_price: not an amount"),
        (lambda p: p.update(line_items=[{"id": 1, "title": "Bague", "price": "1.00"}]), "quantity"),
        (lambda p: p.update(created_at="hier"), "created_at: not a time"),
        (lambda p: p.update(payment_gateway_names=["troc"]), "payment method 'troc' has no"),
    ],
    ids=["no-email", "amount", "line", "time", "payment"],
)
def test_a_malformed_order_gets_422_with_the_reason_and_stores_nothing(
    webhooks: TestClient, db: sessionmaker, change: Callable[[dict[str, Any]], Any], reason: str
) -> None:
    payload = sample("shopify_order_created.json")
    change(payload)
    response = post_shopify(webhooks, "orders/updated", payload)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("shopify orders/updated: ") and reason in detail
    assert deliveries(db) == [] and platform_orders(db) == 0


@pytest.mark.parametrize(
    ("body", "reason"),
    [(b'{"id": 1,', "the body is not JSON"), (b"[1, 2]", "not a JSON object"), (b"\xff", "UTF-8")],
)
def test_a_body_that_is_not_a_json_order_gets_422(
    webhooks: TestClient, db: sessionmaker, body: bytes, reason: str
) -> None:
    response = post_woocommerce(webhooks, "order.updated", body)
    assert response.status_code == 422 and reason in response.json()["detail"]
    assert deliveries(db) == []


def test_a_missing_topic_gets_422(webhooks: TestClient, db: sessionmaker) -> None:
    payload = sample("shopify_order_created.json")
    response = post_shopify(webhooks, "orders/create", payload, **{"X-Shopify-Topic": ""})
    assert response.status_code == 422
    assert response.json()["detail"] == "the X-Shopify-Topic header is missing"
    assert deliveries(db) == []


def test_a_replayed_delivery_is_answered_200_and_applied_once(
    webhooks: TestClient, db: sessionmaker
) -> None:
    payload = sample("shopify_order_created.json")
    first = post_shopify(webhooks, "orders/create", payload, "same-id")
    again = post_shopify(webhooks, "orders/create", payload, "same-id")
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json() == {"delivery": "same-id", "status": "replayed"}
    assert [a.outcome for a in apply_due(db)] == ["created"]
    late = post_shopify(webhooks, "orders/create", payload, "same-id")  # after it was applied
    assert late.status_code == 200 and apply_due(db) == []
    assert len(deliveries(db)) == 1 and platform_orders(db) == 1


def test_a_delivery_without_an_id_is_recognised_by_its_body(
    webhooks: TestClient, db: sessionmaker
) -> None:
    payload = sample("woocommerce_order_updated.json")
    headers = {"X-WC-Webhook-Delivery-ID": ""}
    first = post_woocommerce(webhooks, "order.updated", payload, **headers)
    again = post_woocommerce(webhooks, "order.updated", payload, **headers)
    assert (first.status_code, again.status_code) == (202, 200)
    assert first.json()["delivery"].startswith("sha256:")
    assert len(deliveries(db)) == 1


def test_an_older_update_delivered_after_a_newer_one_changes_nothing(
    webhooks: TestClient, db: sessionmaker
) -> None:
    cancelled = sample("shopify_order_created.json")
    cancelled.update(
        cancelled_at="2026-11-30T12:00:00+01:00", updated_at="2026-11-30T12:00:00+01:00"
    )
    assert post_shopify(webhooks, "orders/cancelled", cancelled, "newer").status_code == 202
    assert apply_due(db)[0].outcome == "created"
    older = sample("shopify_order_created.json")
    assert post_shopify(webhooks, "orders/updated", older, "older").status_code == 202
    assert apply_due(db)[0].outcome == "stale"
    order = shopify_order(db)
    assert order is not None and order.status == OrderStatus.CANCELLED


def test_a_fulfilment_before_its_order_waits_in_the_queue(
    webhooks: TestClient, db: sessionmaker
) -> None:
    fulfilment = sample("shopify_fulfillment_created.json")
    assert post_shopify(webhooks, "fulfillments/create", fulfilment, "parcel").status_code == 202
    [waiting] = apply_due(db)
    assert waiting.state == "pending" and "waits for the order" in str(waiting.error)
    assert platform_orders(db) == 0
    [row] = deliveries(db)
    assert row.body is not None and row.attempts == 1


def test_woocommerce_order_is_applied_and_its_ping_answered(
    webhooks: TestClient, db: sessionmaker
) -> None:
    ping = webhooks.post(
        "/webhooks/woocommerce",
        content=b"webhook_id=12",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (ping.status_code, ping.json()) == (200, {"status": "ping"})
    assert deliveries(db) == []
    response = post_woocommerce(webhooks, "order.created", sample("woocommerce_order_updated.json"))
    assert response.status_code == 202
    assert [a.outcome for a in apply_due(db)] == ["created"]
    with session_scope(db) as session:
        order = find_source_order(session, Platform.WOOCOMMERCE, "104512")
        assert order is not None and order.status == OrderStatus.PAYMENT_AUTHORISED


def test_topics_the_assistant_does_not_read_are_acknowledged_and_left_alone(
    webhooks: TestClient, db: sessionmaker
) -> None:
    product = {"id": 8800110001, "title": "Bague Solitaire Or"}
    shopify = post_shopify(webhooks, "products/update", product)
    woocommerce = post_woocommerce(webhooks, "order.deleted", {"id": 104512})
    assert (shopify.status_code, woocommerce.status_code) == (200, 200)
    assert shopify.json() == {"status": "ignored", "topic": "products/update"}
    assert deliveries(db) == []


def test_a_platform_without_a_secret_is_off(
    make_client: Callable[..., TestClient], db: sessionmaker
) -> None:
    client = make_client(woocommerce_webhook_secret=WOOCOMMERCE_SECRET, webhook_apply_s=0)
    response = post_shopify(client, "orders/create", sample("shopify_order_created.json"))
    assert response.status_code == 404
    assert response.json()["detail"] == "Shopify webhooks are not enabled on this desk"
    off = make_client(webhook_apply_s=0)
    assert off.post("/webhooks/woocommerce", content=b"webhook_id=12").status_code == 404
    assert deliveries(db) == []


def test_a_delivery_naming_another_shop_is_refused(
    make_client: Callable[..., TestClient], db: sessionmaker
) -> None:
    client = make_client(
        shopify_webhook_secret=SHOPIFY_SECRET, shopify_shop_domain=SHOP_DOMAIN, webhook_apply_s=0
    )
    payload = sample("shopify_order_created.json")
    other = {"X-Shopify-Shop-Domain": "autre-boutique.myshopify.com"}
    assert post_shopify(client, "orders/create", payload, **other).status_code == 403
    assert post_shopify(client, "orders/create", payload).status_code == 202
    assert len(deliveries(db)) == 1


def test_a_body_over_one_mebibyte_is_refused_before_it_is_read_whole(
    webhooks: TestClient, db: sessionmaker
) -> None:
    payload = sample("shopify_order_created.json")
    payload["note"] = "x" * (1024 * 1024)
    response = post_shopify(webhooks, "orders/create", payload)
    assert response.status_code == 413
    assert response.json()["detail"] == "the body is larger than 1 MiB"
    assert deliveries(db) == []


def test_webhook_requests_are_limited_per_client_address(
    make_client: Callable[..., TestClient], db: sessionmaker
) -> None:
    client = make_client(
        shopify_webhook_secret=SHOPIFY_SECRET, webhooks_per_minute=3, webhook_apply_s=0
    )
    payload = sample("shopify_order_created.json")
    codes = [post_shopify(client, "orders/create", payload, f"d-{n}").status_code for n in range(4)]
    assert codes == [202, 202, 202, 429]
    refused = post_shopify(client, "orders/create", payload, "d-9")
    assert refused.json()["detail"] == "too many webhook requests"
    assert int(refused.headers["Retry-After"]) >= 1
    assert len(deliveries(db)) == 3  # one row per delivery id taken


def test_the_shops_own_words_from_its_profile_apply_to_its_platforms_deliveries(
    make_client: Callable[..., TestClient], db: sessionmaker, tmp_path: Path
) -> None:
    """A WooCommerce shop with its own « en-gravure » status and the Alma payment module: the
    default tables know neither, the shop's profile (``platform:``) names both."""
    profile = yaml.safe_load((ROOT / "knowledge" / "shops" / "bijou_eclat.yml").read_text())
    profile["platform"] = {
        "kind": "woocommerce",
        "url": "https://boutique.bijou-eclat.fr",
        "key_env": "BIJOU_WC_CONSUMER_KEY",
        "secret_env": "BIJOU_WC_CONSUMER_SECRET",
        "statuses": {"en-gravure": "being_prepared"},
        "payment_methods": {"alma": "instalments_3x"},
    }
    path = tmp_path / "shop.yml"
    path.write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    client = make_client(
        shop_profile=str(path), woocommerce_webhook_secret=WOOCOMMERCE_SECRET, webhook_apply_s=0
    )
    payload = sample("woocommerce_order_updated.json")
    payload.update(status="en-gravure", payment_method="alma", payment_method_title="Alma 3x")
    assert post_woocommerce(client, "order.updated", payload).status_code == 202
    hooks = client.app.state.platform_webhooks  # type: ignore[attr-defined]
    assert [a.outcome for a in apply_due(db, hooks.worker.settings_for)] == ["created"]
    with session_scope(db) as session:
        order = find_source_order(session, Platform.WOOCOMMERCE, "104512")
        assert order is not None
        assert (order.status, order.status_unknown) == (OrderStatus.BEING_PREPARED, False)
        assert order.payment_method == "instalments_3x"

    default = make_client(woocommerce_webhook_secret=WOOCOMMERCE_SECRET, webhook_apply_s=0)
    refused = post_woocommerce(default, "order.updated", payload, "w-2")
    assert refused.status_code == 422 and "payment method 'alma' has no mapping" in refused.text
