"""The desk's worker that applies the shop's platform webhook deliveries to the order store.

The webhook routes only check, store and acknowledge a delivery (a platform waits a few
seconds at most); this background task applies what they stored: at once when a route wakes
it, and every ``every_s`` seconds for the retries that came due. Several desks may run it on
one database: ``shop.sources.deliveries`` claims each delivery with a conditional UPDATE. A
pass that fails (the database away) waits longer before the next one, up to ``MAX_BACKOFF_S``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from sqlalchemy.orm import sessionmaker
from starlette.concurrency import run_in_threadpool

from shop.clock import Clock, SystemClock
from shop.sources.deliveries import Applied, SettingsFor, apply_due

logger = logging.getLogger("desk.platform_worker")

MAX_BACKOFF_S = 30.0
BATCH = 50


@dataclass
class DeliveryWorker:
    sessions: sessionmaker
    every_s: float = 2.0
    settings_for: SettingsFor | None = None
    clock: Clock = field(default_factory=SystemClock)  # the queue's own time, never SHOP_NOW
    _woken: asyncio.Event = field(default_factory=asyncio.Event)

    def wake(self) -> None:
        """A delivery was just stored: apply it now rather than at the next pass."""
        self._woken.set()

    async def run_once(self) -> list[Applied]:
        return await run_in_threadpool(
            apply_due, self.sessions, self.settings_for, self.clock, BATCH
        )

    async def run_forever(self) -> None:
        """Pass after pass until cancelled (the desk's lifespan owns the task)."""
        delay = self.every_s
        while True:
            self._woken.clear()
            try:
                applied = await self.run_once()
            except Exception:  # the loop must outlive any single failure
                logger.exception("applying platform deliveries failed")
                delay = min(delay * 2, max(MAX_BACKOFF_S, self.every_s))
            else:
                delay = self.every_s
                if len(applied) >= BATCH:
                    continue  # more may be due already
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._woken.wait(), timeout=delay)
