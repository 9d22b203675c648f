"""The desk runs no more transactions at once than its database pool keeps connections for
(``DESK_DB_POOL_SIZE``): the others wait their turn instead of opening a connection (a new
PostgreSQL server process) for one transaction and closing it after."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from shop.store.db import make_engine
from tests.support.threads import in_own_thread


class Overlap:
    """Counts the transactions running at the same moment, and the most seen."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0

    def work(self, session: Session) -> int:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.05)  # long enough for the others to start, if nothing held them
        value = int(session.execute(text("SELECT 1")).scalar_one())
        with self.lock:
            self.running -= 1
        return value


def test_transactions_beyond_the_pool_size_wait_their_turn(
    make_client: Callable[..., TestClient],
) -> None:
    service = make_client(db_pool_size=2, relay_retry_s=0).app.state.desk.service
    overlap = Overlap()

    async def many() -> list[int]:
        return await asyncio.gather(*(service.db(overlap.work) for _ in range(7)))

    assert in_own_thread(asyncio.run, many()) == [1] * 7  # every one ran
    assert overlap.most == 2


def test_a_cancelled_transaction_keeps_its_slot_until_its_thread_ends(
    make_client: Callable[..., TestClient],
) -> None:
    """A widget that hangs up cancels its push's read: the read's thread goes on, and no other
    transaction takes its connection's slot meanwhile."""
    service = make_client(db_pool_size=1, relay_retry_s=0).app.state.desk.service
    started, release, other_ran = threading.Event(), threading.Event(), threading.Event()
    ran: list[str] = []

    def slow(session: Session) -> str:
        started.set()
        release.wait(10)
        ran.append("slow")
        return "slow"

    def other(session: Session) -> str:
        other_ran.set()
        ran.append("other")
        return "other"

    async def scenario() -> tuple[bool, str, bool]:
        first = asyncio.ensure_future(service.db(slow))
        await asyncio.to_thread(started.wait, 10)
        first.cancel()
        second = asyncio.ensure_future(service.db(other))
        ran_while_held = await asyncio.to_thread(other_ran.wait, 0.5)
        release.set()
        answer = await second
        try:
            await first
        except asyncio.CancelledError:
            return ran_while_held, answer, True
        return ran_while_held, answer, False

    ran_while_held, answer, cancelled = in_own_thread(asyncio.run, scenario())
    assert not ran_while_held
    assert (answer, cancelled) == ("other", True)
    assert ran == ["slow", "other"]


def test_a_postgresql_engine_keeps_the_pool_size_it_is_given() -> None:
    url = "postgresql://shop:secret@127.0.0.1:1/shop"  # never connected to
    assert make_engine(url, pool_size=3).pool.size() == 3
    assert make_engine(url).pool.size() == 8
