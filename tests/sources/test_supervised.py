"""The outbox sender and the PrestaShop poller as supervised programs: real processes that keep
working pass after pass, pick up what was queued after they started, and stop cleanly (exit 0)
on SIGTERM, the signal supervisord, systemd and Kubernetes send. And ``programs``: which of them
a shop's profile needs."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path

from devtools.servers import ROOT
from shop.sources.__main__ import main
from shop.sources.ingest import find_source_order
from shop.sources.loop import run_every
from shop.sources.record import Platform
from shop.store import repository
from shop.store.db import make_engine, make_session_factory, session_scope
from tests.sources.conftest import platform_profile, sample, woocommerce_shop
from tests.sources.fake_platforms import (
    PRESTASHOP_KEY,
    FakePlatforms,
)
from tests.support.processes import stop, wait_until

URL = "https://boutique.example.fr"


def start(*argv: str, env: dict[str, str]) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if k != "SHOP_NOW"} | env
    return subprocess.Popen(
        [sys.executable, "-m", "shop.sources", *argv],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_supervised_outbox_sends_a_request_queued_while_it_runs_and_stops_on_sigterm(
    tmp_path: Path, fake: FakePlatforms
) -> None:
    with woocommerce_shop(tmp_path, fake) as shop:
        process = start(
            "outbox",
            "--every",
            "0.2",
            "--profile",
            str(shop.profile),
            "--database-url",
            shop.url,
            env=shop.secrets,
        )
        try:
            with session_scope(shop.sessions) as session:  # queued after the sender started
                repository.cancel_order(session, shop.order, datetime.now(timezone.utc))
            wait_until(
                shop.cancellation_confirmed, "confirmation of the queued cancellation", process
            )
        finally:
            status, out, err = stop(process)
    assert status == 0, err
    assert fake.state.woo_orders["104512"]["status"] == "cancelled"
    assert fake.applied() == [("woocommerce", "cancelled", "104512")]  # once, however many passes
    assert out == "confirmed cancel of woocommerce order 104512: confirmed by the platform\n"
    assert "SIGTERM received" in err


def test_the_supervised_poller_brings_in_an_order_changed_while_it_runs(
    tmp_path: Path, fake: FakePlatforms
) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    shop = platform_profile(
        tmp_path, {"kind": "prestashop", "url": fake.url, "secret_env": "TEST_PS_KEY"}
    )
    process = start(
        "poll",
        "--platform",
        "prestashop",
        "--every",
        "0.2",
        "--profile",
        str(shop),
        "--database-url",
        url,
        env={"TEST_PS_KEY": PRESTASHOP_KEY},
    )
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    try:
        wait_until(lambda: len(fake.state.requests) > 0, "first poll", process)
        order = sample("prestashop_order.json")["order"]
        fake.state.presta_customers["4"] = sample("prestashop_customer.json")["customer"]
        fake.state.presta_orders[str(order["id"])] = order

        def stored() -> bool:
            try:
                with session_scope(sessions) as session:
                    found = find_source_order(session, Platform.PRESTASHOP, str(order["id"]))
                    return found is not None
            except Exception:  # the poller is still creating the schema
                return False

        wait_until(stored, "order from the poller", process)
    finally:
        status, out, err = stop(process)
        engine.dispose()
    assert status == 0, err
    assert "prestashop order XKBKNABJK: created" in out
    assert out.count("PrestaShop poll:") == 1  # the idle passes print nothing


def test_a_stop_during_a_pass_lets_that_pass_finish() -> None:
    stop_event = threading.Event()
    inside, release = threading.Event(), threading.Event()
    finished: list[int] = []

    def step() -> None:
        inside.set()
        release.wait(5)
        finished.append(1)

    loop = threading.Thread(target=run_every, args=(step, 60.0, stop_event), kwargs={"name": "t"})
    loop.start()
    assert inside.wait(5)
    stop_event.set()  # what SIGTERM does, while the pass is sending
    release.set()
    loop.join(5)
    assert not loop.is_alive()  # the 60 s wait ended at once
    assert finished == [1]


def test_a_failing_pass_does_not_end_the_loop() -> None:
    stop_event = threading.Event()
    calls: list[int] = []

    def step() -> None:
        calls.append(1)
        if len(calls) == 3:
            stop_event.set()
        raise ConnectionError("the database is away")

    assert run_every(step, 0.001, stop_event, name="t", max_backoff_s=0.01) == 3


def folder(parent: Path, name: str) -> Path:
    (parent / name).mkdir()
    return parent / name


def programs(*argv: str) -> tuple[int, list[str]]:
    out = io.StringIO()
    return main(["programs", *argv], out), out.getvalue().split()


def test_the_programs_a_profile_needs(tmp_path: Path) -> None:

    assert programs("--profile", "bijou_eclat") == (0, [])
    woo = platform_profile(
        folder(tmp_path, "woo"),
        {"kind": "woocommerce", "url": URL, "secret_env": "S", "key_env": "K"},
    )
    assert programs("--profile", str(woo)) == (0, ["outbox"])
    presta = platform_profile(
        folder(tmp_path, "presta"), {"kind": "prestashop", "url": URL, "secret_env": "S"}
    )
    assert programs("--profile", str(presta)) == (0, ["outbox", "poller"])
    # systemd's ExecCondition: 0 run it, 1 skip it, 255 fail (a broken profile is not a skip)
    assert programs("--profile", str(woo), "--needs", "outbox")[0] == 0
    assert programs("--profile", str(woo), "--needs", "poller")[0] == 1
    assert programs("--profile", "bijou_eclat", "--needs", "outbox")[0] == 1
    assert programs("--profile", str(tmp_path / "missing.yml"), "--needs", "outbox")[0] == 255
