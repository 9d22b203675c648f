"""Rasa's tracker store goes to the same database as the order store."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def test_endpoints_point_actions_to_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACTIONS_HOST", raising=False)
    monkeypatch.setenv("ACTIONS_PORT", "5999")
    assert write_endpoints.endpoints()["action_endpoint"]["url"] == "http://127.0.0.1:5999/webhook"
