"""The shop's platform tells the desk about its orders: Shopify and WooCommerce webhooks.

``POST /webhooks/shopify`` and ``POST /webhooks/woocommerce`` answer the platform, not a
shopper, so every refusal is in English with its reason:

- no secret configured for the platform: 404 (the endpoint is off);
- more than ``DESK_WEBHOOKS_PER_MINUTE`` requests from one address: 429; a body over 1 MiB: 413;
- a signature missing or not the body's HMAC-SHA256 under the secret: 401, nothing stored;
- a body that is not the platform's order (or fulfilment) for its topic: 422 with the reason;
- a delivery id already received: 200, applied once; a topic the assistant does not read: 200,
  left alone; WooCommerce's first "ping" (``webhook_id=…``, unsigned): 200;
- otherwise the delivery is committed to the durable queue, then answered 202 at once; the
  desk's worker (``desk.platform_worker``) applies it to the order store.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from desk.deps import limited_body
from desk.limits import SlidingWindow, client_address
from desk.platform_worker import DeliveryWorker
from desk.settings import Settings
from shop.clock import Clock, SystemClock
from shop.policy.profile import ShopProfile
from shop.sources.connect import source_settings
from shop.sources.deliveries import receive
from shop.sources.mappings import SourceSettings, mappings_for
from shop.sources.record import Platform, SourceError
from shop.sources.webhooks import body_digest, handles, read_event, signature_matches

router = APIRouter()

MAX_WEBHOOK_BYTES = 1024 * 1024  # a platform's order is tens of KB; Shopify's cap is lower
WOOCOMMERCE_PING = re.compile(rb"webhook_id=\d+")


@dataclass
class PlatformWebhooks:
    """What the webhook routes share in one desk: settings, the queue's worker, the limit."""

    settings: Settings
    sessions: sessionmaker
    worker: DeliveryWorker
    source_settings: Callable[[Platform], SourceSettings | None] = lambda platform: None
    clock: Clock = field(default_factory=SystemClock)
    window: SlidingWindow = field(init=False)

    def __post_init__(self) -> None:
        self.window = SlidingWindow(self.settings.webhooks_per_minute, 60)

    @property
    def enabled(self) -> bool:
        return bool(
            self.settings.shopify_webhook_secret or self.settings.woocommerce_webhook_secret
        )


def shop_words(profile: ShopProfile) -> Callable[[Platform], SourceSettings | None]:
    """The shop's own statuses, payment methods and carriers (its profile's ``platform:``)
    for its platform's deliveries; the default tables for any other platform."""
    own = profile.platform
    words = source_settings(own) if own is not None else None

    def settings_for(platform: Platform) -> SourceSettings | None:
        return words if own is not None and own.kind == platform.value else None

    return settings_for


def webhooks_of(request: Request) -> PlatformWebhooks:
    hooks: PlatformWebhooks = request.app.state.platform_webhooks
    return hooks


def _refused(status: int, reason: str, **headers: str) -> HTTPException:
    return HTTPException(status_code=status, detail=reason, headers=headers or None)


async def _checked_body(request: Request, hooks: PlatformWebhooks, secret: str, name: str) -> bytes:
    """The raw body of a request to an enabled endpoint, within the limits."""
    if not secret:
        raise _refused(404, f"{name} webhooks are not enabled on this desk")
    client = client_address(request)
    wait = hooks.window.wait_s(client)
    if wait:
        raise _refused(429, "too many webhook requests", **{"Retry-After": str(int(wait) + 1)})
    hooks.window.record(client)
    try:
        return await limited_body(request, MAX_WEBHOOK_BYTES)
    except HTTPException as error:
        raise _refused(413, "the body is larger than 1 MiB") from error


@router.post("/webhooks/shopify")
async def shopify_webhook(request: Request) -> JSONResponse:
    hooks = webhooks_of(request)
    secret = hooks.settings.shopify_webhook_secret
    body = await _checked_body(request, hooks, secret, "Shopify")
    if not signature_matches(secret, body, request.headers.get("X-Shopify-Hmac-Sha256")):
        raise _refused(401, "missing or invalid X-Shopify-Hmac-Sha256 signature")
    shop = request.headers.get("X-Shopify-Shop-Domain", "").strip().lower()
    expected_shop = hooks.settings.shopify_shop_domain
    if expected_shop and shop != expected_shop:
        raise _refused(403, f"this desk takes the webhooks of {expected_shop} only")
    return await _accept(
        hooks,
        Platform.SHOPIFY,
        topic=request.headers.get("X-Shopify-Topic", ""),
        delivery_id=request.headers.get("X-Shopify-Webhook-Id", ""),
        body=body,
        source=shop,
        topic_header="X-Shopify-Topic",
    )


@router.post("/webhooks/woocommerce")
async def woocommerce_webhook(request: Request) -> JSONResponse:
    hooks = webhooks_of(request)
    secret = hooks.settings.woocommerce_webhook_secret
    body = await _checked_body(request, hooks, secret, "WooCommerce")
    if WOOCOMMERCE_PING.fullmatch(body.strip()):
        # WooCommerce checks a new webhook's URL with this unsigned body and wants a 200.
        return JSONResponse({"status": "ping"}, status_code=200)
    if not signature_matches(secret, body, request.headers.get("X-WC-Webhook-Signature")):
        raise _refused(401, "missing or invalid X-WC-Webhook-Signature signature")
    return await _accept(
        hooks,
        Platform.WOOCOMMERCE,
        topic=request.headers.get("X-WC-Webhook-Topic", ""),
        delivery_id=request.headers.get("X-WC-Webhook-Delivery-ID", ""),
        body=body,
        source=request.headers.get("X-WC-Webhook-Source", ""),
        topic_header="X-WC-Webhook-Topic",
    )


async def _accept(
    hooks: PlatformWebhooks,
    platform: Platform,
    *,
    topic: str,
    delivery_id: str,
    body: bytes,
    source: str,
    topic_header: str,
) -> JSONResponse:
    """A signed delivery: checked against its topic's schema, stored, acknowledged."""
    topic = topic.strip()
    if not topic:
        raise _refused(422, f"the {topic_header} header is missing")
    if not handles(platform, topic):
        return JSONResponse({"status": "ignored", "topic": topic}, status_code=200)
    mappings = mappings_for(platform, hooks.source_settings(platform))
    try:
        event = read_event(platform, topic, body, mappings)
    except SourceError as error:
        raise _refused(422, f"{platform.value} {topic}: {error}") from error
    delivery = delivery_id.strip() or body_digest(topic, body)
    try:
        received = await run_in_threadpool(
            lambda: receive(
                hooks.sessions,
                platform=platform,
                delivery_id=delivery,
                topic=topic,
                body=body,
                source=source,
                platform_order_id=event.platform_order_id,
                now=hooks.clock.now(),
            )
        )
    except SQLAlchemyError as error:
        raise _refused(
            503, "the order store is unavailable: send it again later", **{"Retry-After": "30"}
        ) from error
    answer: dict[str, Any] = {"delivery": delivery}
    if received.replayed:
        return JSONResponse({**answer, "status": "replayed"}, status_code=200)
    hooks.worker.wake()
    return JSONResponse({**answer, "status": "queued"}, status_code=202)
