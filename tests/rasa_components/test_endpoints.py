"""Rasa's tracker store goes to the same database as the order store."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from rasa.core.lock_store import LockStore
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AtomicRedisLockStore
from bot.tracker_store import CountFreeSQLTrackerStore
from scripts import write_endpoints


def test_sqlite_tracker_store_uses_the_order_store_file(tmp_path: Path) -> None:
    store = write_endpoints.tracker_store(f"sqlite:///{tmp_path}/shop.db")
    assert store == {
        "type": "bot.tracker_store.CountFreeSQLTrackerStore",
        "dialect": "sqlite",
        "db": f"{tmp_path}/shop.db",
    }


def test_postgresql_url_is_split_into_rasa_fields() -> None:
    store = write_endpoints.tracker_store("postgresql://shop:secret@db.local:5433/shopdb")
    assert store["dialect"] == "postgresql" and store["url"] == "db.local"
    assert store["port"] == 5433 and store["db"] == "shopdb"
    assert store["username"] == "shop" and store["password"] == "secret"


def test_the_products_settings_build_this_store(tmp_path: Path) -> None:
    """Rasa silently falls back to an in-memory store when a store class fails to import."""
    config = EndpointConfig.from_dict(
        write_endpoints.tracker_store(f"sqlite:///{tmp_path}/shop.db")
    )
    store = TrackerStore.create(config)
    assert isinstance(store, CountFreeSQLTrackerStore)
    assert (tmp_path / "shop.db").exists()


def test_postgresql_settings_fit_the_stores_arguments() -> None:
    """Rasa passes the endpoint's ``url`` as ``host``: a ``host`` key would be given twice."""
    config = EndpointConfig.from_dict(
        write_endpoints.tracker_store("postgresql://shop:secret@db.local:5433/shopdb")
    )
    bound = inspect.signature(SQLTrackerStore).bind(
        domain=None, host=config.url, event_broker=None, **config.kwargs
    )
    assert bound.arguments["host"] == "db.local"
    assert bound.arguments["port"] == 5433 and bound.arguments["db"] == "shopdb"


def test_endpoints_point_actions_to_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACTIONS_HOST", raising=False)
    monkeypatch.setenv("ACTIONS_PORT", "5999")
    assert write_endpoints.endpoints()["action_endpoint"]["url"] == "http://127.0.0.1:5999/webhook"


def test_no_redis_url_keeps_rasas_in_process_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHOP_REDIS_URL", raising=False)
    assert "lock_store" not in write_endpoints.endpoints()


def test_redis_url_gives_a_redis_lock_store_rasa_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOP_REDIS_URL", "redis://:s3cret@cache.local:6380/2")
    settings = write_endpoints.endpoints()["lock_store"]
    assert settings == {
        "type": "bot.lock_store.AtomicRedisLockStore",
        "url": "cache.local",
        "port": 6380,
        "db": 2,
        "key_prefix": "bijou",
        "use_ssl": False,
        "password": "s3cret",
    }
    store = LockStore.create(EndpointConfig.from_dict(settings))  # connects lazily
    assert isinstance(store, AtomicRedisLockStore)
    assert store.red.connection_pool.connection_kwargs["host"] == "cache.local"
    assert store.red.connection_pool.connection_kwargs["db"] == 2


def test_a_lock_store_url_that_is_not_redis_is_refused() -> None:
    with pytest.raises(ValueError, match="redis://"):
        write_endpoints.lock_store("postgresql://db.local/shop")


def test_endpoints_read_the_settings_they_are_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests' servers pass their own environment, not this process's."""
    monkeypatch.setenv("SHOP_REDIS_URL", "redis://elsewhere:6379/0")
    settings = write_endpoints.endpoints(
        {
            "SHOP_DATABASE_URL": "postgresql://shop@db.local/shop",
            "ACTIONS_PORT": "6001",
            "ACTIONS_TOKEN": "t0ken",
        }
    )
    action_endpoint = settings["action_endpoint"]
    assert action_endpoint["url"] == "http://127.0.0.1:6001/webhook"  # type: ignore[index]
    assert action_endpoint["token"] == "t0ken"  # type: ignore[index]
    assert settings["tracker_store"]["url"] == "db.local"  # type: ignore[index]
    assert "lock_store" not in settings


def test_finding_13_rasa_sends_the_action_servers_token() -> None:
    """Rasa's endpoint config turns ``token`` into ``?token=`` on every call to the actions."""
    settings = write_endpoints.endpoints({"ACTIONS_PORT": "6001", "ACTIONS_TOKEN": "t0ken"})
    config = EndpointConfig.from_dict(settings["action_endpoint"])  # type: ignore[arg-type]
    assert config.combine_parameters() == {"token": "t0ken"}
