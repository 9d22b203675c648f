"""A shop whose orders come from Shopify keeps Shopify's numbers (#1001): the forms ask for them
in that style, read them from « où en est ma commande 1001 ? » or a bare answer, and the identity
check finds the ingested order. The product's own shop still asks for 6 digits."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import sessionmaker

from actions.identity import AskOrderNumber, ValidateTrackForm
from shop import assistant
from shop.sources.ingest import ingest_order
from shop.store.db import session_scope
from tests.actions.conftest import DOMAIN, make_tracker, run_action, text_of
from tests.actions.test_identity import validate
from tests.sources.conftest import platform_profile, shopify_order

EMAIL = "claire.dupont@example.fr"  # the sample order's customer
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
