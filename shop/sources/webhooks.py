"""What a platform's webhook delivery says, once its signature proves who sent it.

Shopify and WooCommerce both sign the raw body: base64 of its HMAC-SHA256 under the secret
the shop set for its webhooks (``X-Shopify-Hmac-Sha256``, ``X-WC-Webhook-Signature``). The
signature is compared in constant time, on the bytes as they came. A topic the assistant
handles is read with its platform's mapper, so a malformed body is refused at the door with
the mapper's reason; other topics are acknowledged and left alone.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any, Callable, Mapping

from shop.sources.mappings import PlatformMappings
from shop.sources.record import Platform, SourceError, SourceFulfilment, SourceOrder
from shop.sources.shopify import fulfilment_from_shopify, order_from_shopify
from shop.sources.woocommerce import order_from_woocommerce

PlatformEvent = SourceOrder | SourceFulfilment
Reader = Callable[[Mapping[str, Any], PlatformMappings], PlatformEvent]

READERS: dict[Platform, dict[str, Reader]] = {
    Platform.SHOPIFY: {
        "orders/create": order_from_shopify,
        "orders/updated": order_from_shopify,
        "orders/cancelled": order_from_shopify,
        "fulfillments/create": fulfilment_from_shopify,
        "fulfillments/update": fulfilment_from_shopify,
    },
    Platform.WOOCOMMERCE: {
        "order.created": order_from_woocommerce,
        "order.updated": order_from_woocommerce,
    },
}


def signature(secret: str, body: bytes) -> str:
    """The signature a platform sends with ``body``: base64 of HMAC-SHA256 under ``secret``."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signature_matches(secret: str, body: bytes, given: str | None) -> bool:
    """Whether ``given`` is ``body``'s signature, compared in constant time on the decoded
    digests (a missing or undecodable header never matches; no secret never matches)."""
    if not secret or not given:
        return False
    try:
        claimed = base64.b64decode(given.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return hmac.compare_digest(expected, claimed)


def handles(platform: Platform, topic: str) -> bool:
    return topic in READERS.get(platform, {})


def read_event(
    platform: Platform, topic: str, body: bytes | str, mappings: PlatformMappings
) -> PlatformEvent:
    """The normalised order or parcel event of a delivery; ``SourceError`` with the reason when
    the body is not JSON or not the platform's order (or fulfilment) for ``topic``."""
    reader = READERS.get(platform, {}).get(topic)
    if reader is None:
        raise SourceError(f"{platform.value} topic {topic!r} is not one the assistant reads")
    try:
        payload = json.loads(body)
    except UnicodeDecodeError:
        raise SourceError("the body is not UTF-8 text") from None
    except (ValueError, RecursionError) as error:
        raise SourceError(f"the body is not JSON: {error}") from None
    if not isinstance(payload, Mapping):
        raise SourceError("the body is not a JSON object")
    return reader(payload, mappings)


def body_digest(topic: str, body: bytes) -> str:
    """A delivery id for a delivery that came without one: the same topic and body are the
    same event, recognised when sent again."""
    return "sha256:" + hashlib.sha256(topic.encode("utf-8") + b"\n" + body).hexdigest()
