"""A shop whose orders come from Shopify: the forms ask for Shopify's numbers (#1001) in that
style, read them from « où en est ma commande 1001 ? » or a bare answer, and the identity check
finds the ingested order (the product's own shop still asks for 6 digits); a yes to « ask the
shop for the return? » queues the return for the platform."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import sessionmaker

from actions.confirmation import ActionHandleConfirmation
from actions.identity import AskOrderNumber, ValidateTrackForm
from shop import assistant
from shop.sources.ingest import find_source_order, ingest_fulfilment, ingest_order
from shop.sources.record import Platform
from shop.sources.shopify import fulfilment_from_shopify, restatus_with
from shop.store.db import session_scope
from shop.store.platform_requests import requests_for_order
from tests.actions.conftest import DOMAIN, make_tracker, run_action, text_of, verified
from tests.actions.test_identity import validate
from tests.sources.conftest import mappings, platform_profile, sample, shopify_order

EMAIL = "claire.dupont@example.fr"  # the sample order's customer
SHOPIFY_MAPPINGS = mappings(Platform.SHOPIFY)
SHOPIFY = {
    "kind": "shopify",
    "url": "https://bijou-eclat.myshopify.com",
    "secret_env": "BIJOU_SHOPIFY_TOKEN",
}


@pytest.fixture()
def shopify_shop(
    shop_db: sessionmaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> sessionmaker:
    """The demo shop connected to Shopify, with Shopify's sample order #1001 ingested."""
    monkeypatch.setenv("SHOP_PROFILE", str(platform_profile(tmp_path, SHOPIFY)))
    assistant.context_from_env.cache_clear()
    with session_scope(shop_db) as session:
        ingest_order(session, shopify_order())
    return shop_db


def asked_for_the_number() -> str:
    messages, _ = run_action(AskOrderNumber(), make_tracker(active_loop="track_form"))
    return text_of(messages)


def extracted(text: str, asked: bool) -> dict[str, object]:
    slots = {"requested_slot": "order_number" if asked else None}
    tracker = make_tracker(slots, text=text, intent="track_order", active_loop="track_form")
    action = ValidateTrackForm()
    return asyncio.run(action.extract_order_number(CollectingDispatcher(), tracker, DOMAIN))


def test_the_own_shop_asks_for_its_six_digits(shop_db: sessionmaker) -> None:
    assert asked_for_the_number() == (
        "Quel est votre numéro de commande ? Il compte 6 chiffres et figure dans l'e-mail de "
        "confirmation."
    )
    assert extracted("où en est ma commande 1001 ?", asked=False) == {}


def test_a_shopify_shop_asks_in_shopifys_style(shopify_shop: sessionmaker) -> None:
    assert "Il compte au moins 4 chiffres" in asked_for_the_number()
    text, slots = validate(ValidateTrackForm(), {"order_number": "12"})
    assert slots["order_number"] is None
    assert "au moins 4 chiffres, par exemple 1001" in text


def test_the_number_is_read_from_the_question_or_the_answer(shopify_shop: sessionmaker) -> None:
    assert extracted("bonjour, où en est ma commande #1001 ?", asked=False) == {
        "order_number": "1001"
    }
    assert extracted("j'ai payé 1500 euros", asked=False) == {}
    assert extracted("c'est la 1001", asked=True) == {"order_number": "1001"}


def test_the_ingested_order_is_found_by_its_shopify_number(shopify_shop: sessionmaker) -> None:
    text, slots = validate(ValidateTrackForm(), {"order_number": "#1001", "order_email": EMAIL})
    assert (slots["order_number"], slots["verified_order"]) == ("1001", "1001")
    assert text == ""
    text, slots = validate(ValidateTrackForm(), {"order_number": "1002", "order_email": EMAIL})
    assert (slots["order_number"], slots["identity_failures"]) == (None, 1)
    assert "le numéro (au moins 4 chiffres) et l'adresse" in text


def test_a_yes_to_the_return_question_queues_it_for_shopify(
    shopify_shop: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivered = dict(
        sample("shopify_fulfillment_created.json"),
        shipment_status="delivered",
        updated_at="2026-12-02T10:00:00+01:00",
    )
    with session_scope(shopify_shop) as session:
        event = fulfilment_from_shopify(delivered, SHOPIFY_MAPPINGS)
        ingest_fulfilment(session, event, restatus_with(SHOPIFY_MAPPINGS))
    monkeypatch.setenv("SHOP_NOW", "2026-12-04T16:00:00+01:00")
    assistant.context_from_env.cache_clear()

    slots = verified("1001", EMAIL, pending_confirmation="return_item")
    messages, _ = run_action(ActionHandleConfirmation(), make_tracker(slots, intent="affirm"))
    assert "j'ai demandé à la boutique le retour de votre commande 1001" in text_of(messages)
    with session_scope(shopify_shop) as session:
        order = find_source_order(session, Platform.SHOPIFY, "5829461459001")
        assert order is not None
        assert [(r.kind, r.state) for r in requests_for_order(session, order.id)] == [
            ("return", "pending")
        ]
