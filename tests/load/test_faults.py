"""Faults under load, through nginx: while Locust's shoppers write, one process of each kind is
killed with -9 (supervisord restarts it), PostgreSQL restarts with the ticket spool's disk full;
afterwards every message the desk confirmed is stored once and answered (late, for those the
bot missed: the desk's recovery pass relays them), the bot read each once, and no conversation
has two tickets. The times to recover are printed (``-s``); the full version with every figure
is ``scripts/load_test.py --faults``."""

from __future__ import annotations

import math
import time
from pathlib import Path

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


@pytest.mark.parametrize(
    "fault",
    ["nginx", "redis", "actions", "desk", "postgres", "rasa"],
)
def test_a_fault_under_load_loses_no_message_and_duplicates_no_ticket(
    served: ServedProduct, tmp_path: Path, fault: str
) -> None:
    journal = tmp_path / f"{fault}.jsonl"
    locust = served.locust(10, 25, journal, think="1-3", spawn_rate=10)
    try:
        time.sleep(8)
        if fault == "postgres":
            with SpoolDisk(served.spool):
                recovered = inject(served, fault)
        else:
            recovered = inject(served, fault)
    finally:
        locust.wait(timeout=300)
    settle(served, journal)
    print(f"\n{fault}: time to recover (s): {recovered}")

    assert math.isfinite(recovered["answering_s"])
    check = check_run(served.database_url, journal)
    assert check.problems == []
    assert check.waiting == 0
    assert check.stored > 10
    assert check.answered + check.with_agent == check.stored
