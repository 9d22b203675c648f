"""Faults under load, through nginx: while Locust's shoppers write, nginx, the action server,
Redis and the Rasa server are killed with -9 (supervisord restarts each), PostgreSQL restarts
with the ticket spool's disk full; afterwards every message the desk confirmed is stored once
and answered (late, for those the bot missed: the desk's recovery pass relays them), and no
conversation has two tickets. The times to recover are printed (``-s``); the full version with
every figure is ``scripts/load_test.py --faults``."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import pytest

from loadtest.checks import check_run, read_journal
from loadtest.faults import SETTLE_S, SpoolDisk, inject, waiting_messages
from loadtest.product import ServedProduct

pytestmark = pytest.mark.e2e


def settle(served: ServedProduct, journal: Path) -> None:
    """Until the recovery pass has relayed every message the bot missed (or SETTLE_S)."""
    conversations = read_journal(journal)
    deadline = time.monotonic() + SETTLE_S
    while waiting_messages(served.database_url, conversations) and time.monotonic() < deadline:
        time.sleep(2)


def test_processes_killed_and_stores_restarted_under_load_lose_nothing(
    served: ServedProduct, tmp_path: Path
) -> None:
    journal = tmp_path / "faults.jsonl"
    locust = served.locust(10, 100, journal, think="2-4", spawn_rate=10)
    recovered: dict[str, dict[str, Any]] = {}
    try:
        time.sleep(8)
        for fault in ("nginx", "actions", "redis"):
            recovered[fault] = inject(served, fault)
            time.sleep(3)
        with SpoolDisk(served.spool) as disk:
            recovered["postgres" if not disk.mounted else "postgres, spool disk full"] = inject(
                served, "postgres"
            )
        recovered["rasa"] = inject(served, "rasa")
    finally:
        locust.wait(timeout=300)
    settle(served, journal)
    print("\ntime to recover (s):", recovered)

    assert all(math.isfinite(r["answering_s"]) for r in recovered.values()), recovered
    check = check_run(served.database_url, journal)
    assert check.problems == []
    assert check.waiting == 0
    assert check.stored > 40
    assert check.answered + check.with_agent == check.stored


@pytest.mark.xfail(
    reason="a desk killed between claiming a message for Rasa and storing the answer leaves "
    "it marked relayed and never answered (desk.service._relay): open, see the load report",
    strict=False,
)
def test_a_desk_killed_under_load_leaves_no_message_unanswered(
    served: ServedProduct, tmp_path: Path
) -> None:
    journal = tmp_path / "desk.jsonl"
    locust = served.locust(10, 30, journal, think="1-2", spawn_rate=10)
    try:
        time.sleep(10)
        recovered = inject(served, "desk")
    finally:
        locust.wait(timeout=200)
    settle(served, journal)
    print("\ntime to recover (s):", recovered)

    check = check_run(served.database_url, journal)
    assert check.problems == []
    assert check.waiting == 0
