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
    service = make_client(db_pool_size=2).app.state.desk.service
    overlap = Overlap()

    async def many() -> list[int]:
        return await asyncio.gather(*(service.db(overlap.work) for _ in range(7)))

    assert in_own_thread(asyncio.run, many()) == [1] * 7  # every one ran
    assert overlap.most == 2


def test_a_postgresql_engine_keeps_the_pool_size_it_is_given() -> None:
    url = "postgresql://shop:secret@127.0.0.1:1/shop"  # never connected to
    assert make_engine(url, pool_size=3).pool.size() == 3
    assert make_engine(url).pool.size() == 8
