"""The platforms' documented APIs for what the outbox sends: read an order, cancel it, note a
return. One writer per platform, each with its documented authentication.

- Shopify Admin REST (2024-01), header ``X-Shopify-Access-Token``: ``GET
  /admin/api/2024-01/orders/{id}.json`` (``cancelled_at``), ``POST .../orders/{id}/cancel.json``.
  The REST API has no returns (they are GraphQL's ``returnCreate``): a Shopify return is kept
  for an agent, who opens it in Shopify's admin.
- WooCommerce REST v3, HTTP Basic with the consumer key and secret (HTTPS only, except on the
  machine itself): ``GET|PUT /wp-json/wc/v3/orders/{id}`` (``{"status": "cancelled"}``); a return
  becomes a private order note (``POST /wp-json/wc/v3/orders/{id}/notes``) carrying the
  request's key. WooCommerce has no return object, and a refund comes after the parcel is back.
- PrestaShop webservice, HTTP Basic with the webservice key as user name: ``GET
  /api/orders/{id}``, and a new state by ``POST /api/order_histories`` (XML). Its webservice
  documents no merchandise-return resource to create: a return is kept for an agent.

None of these calls takes an idempotency key, so ``already_done`` reads the platform's order
first and the sender skips a request already applied (a retry after a lost response).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import httpx

from shop.sources.record import Platform

SHOPIFY_API = "/admin/api/2024-01"
WOOCOMMERCE_API = "/wp-json/wc/v3"
PRESTASHOP_CANCELLED_STATE = "6"  # "Annulé" in a default PrestaShop
NOTE_MARK = "bijou-assistant"
TIMEOUT_SECONDS = 20.0


class Unavailable(Exception):
    """The platform did not answer yes this time (network, 5xx, 429, 409): try again later."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Refused(Exception):
    """The platform said no for good (a 4xx other than 429 and 409): an agent must look."""


@dataclass(frozen=True)
class Connection:
    """Where a shop's platform answers and how to sign in (the secrets come from the env)."""

    platform: Platform
    url: str
    secret: str  # Shopify access token, WooCommerce consumer secret, PrestaShop webservice key
    key: str = ""  # WooCommerce consumer key
    cancelled_state: str = PRESTASHOP_CANCELLED_STATE
    timeout: float = TIMEOUT_SECONDS
    transport: httpx.BaseTransport | None = field(default=None, compare=False)

    def client(self) -> httpx.Client:
        auth: httpx.Auth | None = None
        headers = {"Accept": "application/json"}
        if self.platform == Platform.SHOPIFY:
            headers["X-Shopify-Access-Token"] = self.secret
        elif self.platform == Platform.WOOCOMMERCE:
            require_https(self.url, "WooCommerce's basic authentication")
            auth = httpx.BasicAuth(self.key, self.secret)
        else:
            auth = httpx.BasicAuth(self.secret, "")
        return httpx.Client(
            base_url=self.url.rstrip("/"),
            headers=headers,
            auth=auth,
            timeout=self.timeout,
            transport=self.transport,
        )


def require_https(url: str, why: str) -> None:
    """Secrets in clear only to this machine: any other host must be reached over HTTPS."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    host = parts.hostname or ""
    try:
        local = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = False
    if not local:
        raise Refused(f"{why} needs HTTPS: {url} is not")


@dataclass(frozen=True)
class Request:
    """What the sender hands a writer: one outbox request, detached from the database."""

    kind: str  # "cancel" or "return"
    platform_order_id: str
    key: str  # the idempotency key, written where the platform keeps it
    details: dict[str, Any]


class Writer(Protocol):
    def already_done(self, client: httpx.Client, request: Request) -> str | None:
        """A note when the platform already shows the request applied, else None."""

    def send(self, client: httpx.Client, request: Request) -> None:
        """Apply the request; ``Unavailable`` or ``Refused`` when the platform does not."""


def answer(response: httpx.Response) -> Any:
    """The JSON of a 2xx answer; ``Unavailable`` or ``Refused`` with the platform's reason."""
    if 200 <= response.status_code < 300:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            return response.text
    reason = f"HTTP {response.status_code}: {_error_text(response)}"
    if response.status_code in (408, 409, 429) or response.status_code >= 500:
        raise Unavailable(reason, _retry_after(response))
    raise Refused(reason)


def _error_text(response: httpx.Response) -> str:
    """The platform's own words: Shopify ``errors``, WooCommerce ``message``, PrestaShop's
    ``errors[].message``."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason_phrase
    if isinstance(body, dict):
        for name in ("errors", "error", "message"):
            if name in body:
                value = body[name]
                if isinstance(value, list):
                    value = "; ".join(
                        str(item.get("message", item)) if isinstance(item, dict) else str(item)
                        for item in value
                    )
                return str(value)[:300]
    return str(body)[:300]


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def _get(client: httpx.Client, path: str, **params: str) -> Any:
    try:
        return answer(client.get(path, params=params or None))
    except httpx.HTTPError as error:
        raise Unavailable(f"{type(error).__name__}: {error}") from None


def _call(client: httpx.Client, method: str, path: str, **options: Any) -> Any:
    try:
        return answer(client.request(method, path, **options))
    except httpx.HTTPError as error:
        raise Unavailable(f"{type(error).__name__}: {error}") from None


def return_note(request: Request) -> str:
    """The French note an agent reads on the platform's order, with the request's key."""
    titles = ", ".join(request.details.get("items", [])) or "articles à préciser"
    return f"Retour demandé par le client via l'assistant : {titles}. [{NOTE_MARK} {request.key}]"


class ShopifyWriter:
    def already_done(self, client: httpx.Client, request: Request) -> str | None:
        if request.kind != "cancel":
            return None
        order = _get(
            client,
            f"{SHOPIFY_API}/orders/{request.platform_order_id}.json",
            fields="id,cancelled_at",
        )
        cancelled = isinstance(order, dict) and (order.get("order") or {}).get("cancelled_at")
        return f"already cancelled on Shopify at {cancelled}" if cancelled else None

    def send(self, client: httpx.Client, request: Request) -> None:
        if request.kind != "cancel":
            raise Refused(
                "Shopify's REST Admin API has no returns (GraphQL's returnCreate has them): "
                "open the return in Shopify's admin"
            )
        _call(
            client,
            "POST",
            f"{SHOPIFY_API}/orders/{request.platform_order_id}/cancel.json",
            json={"reason": "customer"},
        )


class WooCommerceWriter:
    def already_done(self, client: httpx.Client, request: Request) -> str | None:
        path = f"{WOOCOMMERCE_API}/orders/{request.platform_order_id}"
        if request.kind == "cancel":
            order = _get(client, path)
            status = order.get("status") if isinstance(order, dict) else None
            return "already cancelled on WooCommerce" if status == "cancelled" else None
        notes = _get(client, f"{path}/notes")
        mark = f"{NOTE_MARK} {request.key}"
        if isinstance(notes, list) and any(mark in str(n.get("note", "")) for n in notes):
            return "the return note is already on the WooCommerce order"
        return None

    def send(self, client: httpx.Client, request: Request) -> None:
        path = f"{WOOCOMMERCE_API}/orders/{request.platform_order_id}"
        if request.kind == "cancel":
            _call(client, "PUT", path, json={"status": "cancelled"})
        else:
            body = {"note": return_note(request), "customer_note": False}
            _call(client, "POST", f"{path}/notes", json=body)


class PrestaShopWriter:
    def __init__(self, cancelled_state: str = PRESTASHOP_CANCELLED_STATE) -> None:
        self.cancelled_state = cancelled_state

    def already_done(self, client: httpx.Client, request: Request) -> str | None:
        if request.kind != "cancel":
            return None
        order = _get(client, f"/api/orders/{request.platform_order_id}", output_format="JSON")
        state = (order.get("order") or {}).get("current_state") if isinstance(order, dict) else None
        if str(state) == self.cancelled_state:
            return "already cancelled on PrestaShop"
        return None

    def send(self, client: httpx.Client, request: Request) -> None:
        if request.kind != "cancel":
            raise Refused(
                "PrestaShop's webservice documents no merchandise return to create: open it "
                "in the back office (Service client > Retours produits)"
            )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<prestashop xmlns:xlink="http://www.w3.org/1999/xlink"><order_history>'
            f"<id_order>{escape(request.platform_order_id)}</id_order>"
            f"<id_order_state>{escape(self.cancelled_state)}</id_order_state>"
            "</order_history></prestashop>"
        )
        _call(
            client,
            "POST",
            "/api/order_histories",
            params={"output_format": "JSON"},
            content=xml.encode(),
            headers={"Content-Type": "application/xml"},
        )


def writer_for(connection: Connection) -> Writer:
    if connection.platform == Platform.SHOPIFY:
        return ShopifyWriter()
    if connection.platform == Platform.WOOCOMMERCE:
        return WooCommerceWriter()
    return PrestaShopWriter(connection.cancelled_state)
