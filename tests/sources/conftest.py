"""A fresh order store per test (a SQLite file, or a database of a throwaway PostgreSQL
cluster for the tests that take ``store_url``), the sample payloads and the mappings, the
played platforms and a shop profile naming one."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker

from devtools.services import PostgresServer
from shop.sources.ingest import find_source_order, ingest_order
from shop.sources.mappings import PlatformMappings, SourceSettings, mappings_for
from shop.sources.record import Platform, SourceOrder
from shop.sources.shopify import order_from_shopify
from shop.sources.woocommerce import order_from_woocommerce
from shop.store import platform_requests
from shop.store.db import create_schema, make_engine, make_session_factory, session_scope
from shop.store.models import Order
from tests.sources.fake_platforms import WOO_KEY, WOO_SECRET, FakePlatforms, running
from tests.support.databases import fresh_postgres_database
from tests.unit.conftest import edited_profile

SAMPLES = Path(__file__).resolve().with_name("samples")


def sample(name: str) -> Any:
    """A fresh copy of a sample payload (tests change their copy freely)."""
    return copy.deepcopy(json.loads((SAMPLES / name).read_text(encoding="utf-8")))


def mappings(platform: Platform, **overrides: Any) -> PlatformMappings:
    return mappings_for(platform, SourceSettings.parse_obj(overrides))


def shopify_order(**changes: object) -> SourceOrder:
    """Shopify's sample order as mapped, with ``changes`` made to its payload first."""
    payload = sample("shopify_order_created.json")
    payload.update(changes)
    return order_from_shopify(payload, mappings(Platform.SHOPIFY))


def platform_profile(folder: Path, platform: Any) -> Path:
    """The demo shop's profile with ``platform`` (well formed or not) as its platform section,
    in ``folder``."""
    return edited_profile(folder, lambda data: data.update(platform=platform))


def stored_woocommerce_order(sessions: sessionmaker, fake: FakePlatforms, status: str) -> Order:
    """WooCommerce's sample order, in the store and on the played WooCommerce."""
    payload = sample("woocommerce_order_updated.json")
    with session_scope(sessions) as session:
        ingest_order(session, order_from_woocommerce(payload, mappings(Platform.WOOCOMMERCE)))
        order = find_source_order(session, Platform.WOOCOMMERCE, str(payload["id"]))
        assert order is not None
    fake.state.woo_orders[str(payload["id"])] = {"id": payload["id"], "status": status}
    return order


@dataclass(frozen=True)
class WooCommerceShop:
    """A store on a SQLite file holding WooCommerce's sample order, and the demo shop's profile
    naming the played WooCommerce; ``secrets`` is the environment its programs need."""

    url: str
    sessions: sessionmaker
    order: Order
    profile: Path
    secrets: dict[str, str]

    def cancellation_confirmed(self) -> bool:
        with session_scope(self.sessions) as session:
            (request,) = platform_requests.requests_for_order(session, self.order.id)
            return bool(request.state == platform_requests.RequestState.CONFIRMED.value)


@contextmanager
def woocommerce_shop(
    folder: Path, fake: FakePlatforms, key_env: str = "TEST_WC_KEY"
) -> Iterator[WooCommerceShop]:
    """WooCommerce's sample order (« processing ») in a new store in ``folder``; the profile
    reads the consumer key from ``key_env`` and the secret from the same name with SECRET for
    KEY (``TEST_WC_KEY``, ``TEST_WC_SECRET``)."""
    url = f"sqlite:///{folder / 'shop.db'}"
    engine = make_engine(url)
    create_schema(engine)
    sessions = make_session_factory(engine)
    secret_env = key_env.replace("KEY", "SECRET")
    platform = {
        "kind": "woocommerce",
        "url": fake.url,
        "key_env": key_env,
        "secret_env": secret_env,
    }
    try:
        yield WooCommerceShop(
            url=url,
            sessions=sessions,
            order=stored_woocommerce_order(sessions, fake, "processing"),
            profile=platform_profile(folder, platform),
            secrets={key_env: WOO_KEY, secret_env: WOO_SECRET},
        )
    finally:
        engine.dispose()


@pytest.fixture
def fake() -> Iterator[FakePlatforms]:
    """Shopify, WooCommerce and PrestaShop played on a loopback port."""
    with running() as platforms_server:
        yield platforms_server


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shop.db'}"
    cluster: PostgresServer = request.getfixturevalue("postgres_cluster")
    name = f"sources_{abs(hash(request.node.nodeid)) % 10**9}"
    return fresh_postgres_database(cluster, name)


@pytest.fixture
def sessions(store_url: str) -> Iterator[sessionmaker]:
    engine = make_engine(store_url)
    create_schema(engine)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_sessions(tmp_path: Path) -> Iterator[sessionmaker]:
    """A SQLite store only, for the tests about mapping rather than storage."""
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    create_schema(engine)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()
