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
from shop.store import platform_requests, repository
from shop.store.db import create_schema, make_engine, make_session_factory, session_scope
from shop.store.platform_requests import RequestState
from tests.sources.conftest import platform_profile, stored_woocommerce_order
from tests.sources.fake_platforms import WOO_KEY, WOO_SECRET, FakePlatforms, running
from tests.support.processes import stop, wait_until

DEADLINE_S = 60.0


@pytest.fixture
def fake() -> Iterator[FakePlatforms]:
    with running() as platforms_server:
        yield platforms_server


def test_bijou_process_outbox_sends_what_is_queued_and_stops_on_sigterm(
    tmp_path: Path, fake: FakePlatforms
) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = make_engine(url)
    create_schema(engine)
    sessions = make_session_factory(engine)
    order = stored_woocommerce_order(sessions, fake, "processing")
    with session_scope(sessions) as session:
        repository.cancel_order(session, order, datetime.now(timezone.utc))
    shop = platform_profile(
        tmp_path,
        {"kind": "woocommerce", "url": fake.url, "key_env": "WC_KEY", "secret_env": "WC_SECRET"},
    )
    env = {k: v for k, v in os.environ.items() if k != "SHOP_NOW"}
    env |= {
        "BIJOU_PYTHON": sys.executable,
        "SHOP_PROFILE": str(shop),
        "SHOP_DATABASE_URL": url,
        "WC_KEY": WOO_KEY,
        "WC_SECRET": WOO_SECRET,
    }
    process = subprocess.Popen(
        [str(ROOT / "deploy" / "bin" / "bijou-process"), "outbox"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def confirmed() -> bool:
        with session_scope(sessions) as session:
            (request,) = platform_requests.requests_for_order(session, order.id)
            return bool(request.state == RequestState.CONFIRMED.value)

    try:
        wait_until(confirmed, "confirmation of the cancellation", process, DEADLINE_S)
    finally:
        status, output, _ = stop(process, DEADLINE_S)
        engine.dispose()
    assert status == 0, output
    assert "confirmed cancel of woocommerce order 104512" in output
    assert fake.state.woo_orders["104512"]["status"] == "cancelled"
