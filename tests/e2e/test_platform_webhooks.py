"""An order the shop's Shopify sends by webhook is the order the assistant answers about.

The real stack on its own ports (Rasa, the action server and ``python -m desk`` on one SQLite
store): Shopify's signed "order created" webhook reaches the desk, then a shopper asks « où en
est ma commande … ? » in the widget's conversation API and proves the order's e-mail; the bot
answers from the ingested order (paid, awaiting preparation). A signed fulfilment webhook
follows, and the same question is answered with the parcel on its way and its tracking link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from devtools.desk import DeskServer
from devtools.servers import Stack
from devtools.services import free_port
from devtools.shopper import carry_conversation_tokens
from shop.store.db import make_engine, make_session_factory
from shop.store.platform_deliveries import PlatformDelivery
from tests.sources.conftest import platform_profile, sample

pytestmark = pytest.mark.e2e

SECRET = "shpss_e2e_9d8c7b6a5f4e3d2c1b0a"
SHOP_DOMAIN = "bijou-eclat.myshopify.com"
NUMBER = "1001"  # Shopify's own numbering (#1001), as the shopper reads it in the e-mail
EMAIL = "claire.dupont@example.fr"
SHOPIFY = {
    "kind": "shopify",
    "url": f"https://{SHOP_DOMAIN}",
    "secret_env": "BIJOU_SHOPIFY_TOKEN",
}


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory, trained_model: Path) -> Iterator[DeskServer]:
    """Rasa, the action server and the desk of a shop connected to Shopify, webhooks on, on
    free ports."""
    folder = tmp_path_factory.mktemp("webhooks-stack")
    stack = Stack(
        folder,
        rasa_port=free_port(),
        actions_port=free_port(),
        profile=str(platform_profile(folder, SHOPIFY)),
    )
    stack.seed()
    server = DeskServer(
        stack, extra_env={"DESK_SHOPIFY_WEBHOOK_SECRET": SECRET, "DESK_WEBHOOK_APPLY_S": "1"}
    )
    try:
        stack.start_actions()
        stack.start_rasa(trained_model)
        yield server.start()
    finally:
        server.stop()
        stack.stop_all()


def post_webhook(desk: DeskServer, topic: str, payload: dict[str, Any], delivery: str) -> None:
    body = json.dumps(payload).encode("utf-8")
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).digest()
    response = httpx.post(
        f"{desk.url}/webhooks/shopify",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
            "X-Shopify-Shop-Domain": SHOP_DOMAIN,
            "X-Shopify-Webhook-Id": delivery,
        },
        timeout=10,
    )
    assert response.status_code == 202, response.text
    wait_until_applied(desk, delivery)


def wait_until_applied(desk: DeskServer, delivery: str, timeout_s: float = 20) -> None:
    engine = make_engine(desk.stack.database_url)
    query = select(PlatformDelivery.state, PlatformDelivery.last_error).where(
        PlatformDelivery.delivery_id == delivery
    )
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            with make_session_factory(engine)() as session:
                state, error = session.execute(query).one()
            if state == "applied":
                return
            assert time.monotonic() < deadline, f"delivery {delivery} is {state}: {error}"
            time.sleep(0.1)
    finally:
        engine.dispose()


def ask_where_is_my_order(desk: DeskServer) -> str:
    """A new widget conversation: the question, the e-mail asked for, the answer."""
    with httpx.Client(base_url=desk.url, timeout=60) as client:
        carry_conversation_tokens(client)
        started = client.post("/api/chat")
        assert started.status_code == 201
        conversation = started.json()["id"]
        asked = say(client, conversation, f"où en est ma commande #{NUMBER} ?")
        assert "adresse e-mail" in asked
        return say(client, conversation, EMAIL)


def say(client: httpx.Client, conversation: str, text: str) -> str:
    response = client.post(f"/api/chat/{conversation}/messages", json={"text": text})
    assert response.status_code == 200, response.text
    return "\n".join(m["text"] for m in response.json()["messages"] if m["author"] != "shopper")


def test_a_shopify_order_then_its_fulfilment_change_the_bots_answer(desk: DeskServer) -> None:
    order = sample("shopify_order_created.json")
    order.update(
        created_at="2026-11-22T18:00:00+01:00",
        processed_at="2026-11-22T18:00:00+01:00",
        updated_at="2026-11-22T18:00:02+01:00",
    )
    post_webhook(desk, "orders/create", order, "e2e-order-created")

    paid = ask_where_is_my_order(desk)
    assert f"Le paiement de votre commande {NUMBER} est validé" in paid
    assert "en route" not in paid

    fulfilment = sample("shopify_fulfillment_created.json")
    fulfilment.update(
        created_at="2026-11-23T14:05:10+01:00", updated_at="2026-11-23T14:05:10+01:00"
    )
    post_webhook(desk, "fulfillments/create", fulfilment, "e2e-fulfilment-created")

    shipped = ask_where_is_my_order(desk)
    assert f"Votre commande {NUMBER} est en route" in shipped
    assert "Colissimo" in shipped and "code=6A20011234567" in shipped
    assert "paiement" not in shipped
