"""Wakes up whoever waits for news of a conversation (WebSockets, long polls, the console).

The database is the only source of truth: a woken waiter re-reads the messages after its own
cursor, so a missed or duplicated wake-up never loses or repeats a message. Waiters also wake
on a timeout, which keeps several desk processes consistent without a message broker.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict


class Notifier:
    def __init__(self) -> None:
        self._waiters: defaultdict[str, set[asyncio.Event]] = defaultdict(set)

    def notify(self, key: str) -> None:
        for event in list(self._waiters.get(key, ())):
            event.set()

    async def wait(self, key: str, timeout_s: float) -> bool:
        """True when woken by ``notify``, False on timeout."""
        event = asyncio.Event()
        self._waiters[key].add(event)
        try:
            await asyncio.wait_for(event.wait(), timeout=timeout_s)
            return True
        except asyncio.TimeoutError:
            return False
        finally:
            waiters = self._waiters.get(key)
            if waiters is not None:
                waiters.discard(event)
                if not waiters:
                    self._waiters.pop(key, None)
