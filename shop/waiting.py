"""Waiting for work that must not be interrupted: a transaction or a save running in a worker
thread goes on when the task that waits for it is cancelled, so the waiter must not let go of
what the work holds (a conversation's lock, a database connection's slot) before it ends."""

from __future__ import annotations

import asyncio
from typing import Any


async def until_done(running: asyncio.Future[Any]) -> None:
    """Wait for ``running`` to end, whatever cancels the waiter meanwhile."""
    while not running.done():
        try:
            await asyncio.wait({running})
        except asyncio.CancelledError:
            continue
