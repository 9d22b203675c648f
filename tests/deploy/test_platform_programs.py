"""The production command line of the shop platform's outbox sender (``deploy/bin/bijou-process
outbox``, what supervisord, systemd and the container run) sends a queued cancellation to the
played WooCommerce, from the shop profile and the environment alone, and exits 0 on SIGTERM."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from deploy.render import ROOT
from shop.store import repository
from shop.store.db import session_scope
from tests.sources.conftest import woocommerce_shop
from tests.sources.fake_platforms import FakePlatforms, running
from tests.support.processes import stop, wait_until

DEADLINE_S = 60.0


@pytest.fixture
def fake() -> Iterator[FakePlatforms]:
    with running() as platforms_server:
        yield platforms_server


def test_bijou_process_outbox_sends_what_is_queued_and_stops_on_sigterm(
    tmp_path: Path, fake: FakePlatforms
) -> None:
    with woocommerce_shop(tmp_path, fake, key_env="WC_KEY") as shop:
        with session_scope(shop.sessions) as session:
            repository.cancel_order(session, shop.order, datetime.now(timezone.utc))
        env = {k: v for k, v in os.environ.items() if k != "SHOP_NOW"}
        env |= {
            "BIJOU_PYTHON": sys.executable,
            "SHOP_PROFILE": str(shop.profile),
            "SHOP_DATABASE_URL": shop.url,
            **shop.secrets,
        }
        process = subprocess.Popen(
            [str(ROOT / "deploy" / "bin" / "bijou-process"), "outbox"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            wait_until(
                shop.cancellation_confirmed,
                "confirmation of the cancellation",
                process,
                DEADLINE_S,
            )
        finally:
            status, output, _ = stop(process, DEADLINE_S)
    assert status == 0, output
    assert "confirmed cancel of woocommerce order 104512" in output
    assert fake.state.woo_orders["104512"]["status"] == "cancelled"
