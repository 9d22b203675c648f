"""``python -m shop.sources outbox --once`` and ``poll --platform prestashop``: the shop profile
says where the platform is and which variables hold its secrets; the commands do the rest."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

import pytest

from shop.sources.__main__ import main
from shop.store import repository
from shop.store.db import session_scope
from tests.sources.conftest import platform_profile, sample, woocommerce_shop
from tests.sources.fake_platforms import (
    PRESTASHOP_KEY,
    FakePlatforms,
)


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out), out.getvalue()


def test_outbox_once_sends_a_woocommerce_cancellation(
    tmp_path: Path, fake: FakePlatforms, monkeypatch: pytest.MonkeyPatch
) -> None:
    with woocommerce_shop(tmp_path, fake) as shop, session_scope(shop.sessions) as session:
        repository.cancel_order(session, shop.order, datetime.now(timezone.utc))
    for name, value in shop.secrets.items():
        monkeypatch.setenv(name, value)

    status, printed = run(
        "outbox", "--once", "--profile", str(shop.profile), "--database-url", shop.url
    )
    assert status == 0
    assert printed == "confirmed cancel of woocommerce order 104512: confirmed by the platform\n"
    assert fake.state.woo_orders["104512"]["status"] == "cancelled"


def test_outbox_refuses_to_start_without_its_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TEST_SHOPIFY_TOKEN", raising=False)
    shop = platform_profile(
        tmp_path,
        {
            "kind": "shopify",
            "url": "https://bijou.myshopify.com",
            "secret_env": "TEST_SHOPIFY_TOKEN",
        },
    )
    status, _ = run("outbox", "--once", "--profile", str(shop))
    assert status == 2
    assert "TEST_SHOPIFY_TOKEN (the platform's secret) is not set" in capsys.readouterr().err


def test_poll_brings_prestashop_orders_in(
    tmp_path: Path, fake: FakePlatforms, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = sample("prestashop_order.json")["order"]
    fake.state.presta_orders[str(order["id"])] = order
    fake.state.presta_customers["4"] = sample("prestashop_customer.json")["customer"]
    shop = platform_profile(
        tmp_path, {"kind": "prestashop", "url": fake.url, "secret_env": "TEST_PS_KEY"}
    )
    monkeypatch.setenv("TEST_PS_KEY", PRESTASHOP_KEY)
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    status, printed = run(
        "poll", "--platform", "prestashop", "--profile", str(shop), "--database-url", url
    )
    assert status == 0, printed
    assert printed.splitlines()[0] == (
        "PrestaShop poll: 1 pages, 1 orders stored, 0 skipped; checkpoint 2026-11-29 09:30:00"
    )
    assert "prestashop order XKBKNABJK: created" in printed
