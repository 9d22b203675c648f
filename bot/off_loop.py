"""The Rasa server's database and Redis round trips, in a worker thread instead of its event loop.

Rasa calls its tracker store and lock store from its one event loop, and both stores block: a
save's statements and commit, the lock's two Redis scripts. At 500 open conversations the loop
was never idle (py-spy ``--idle``): a quarter of its time went waiting for PostgreSQL and
Redis, on a machine with CPU to spare, and the answers queued behind it. In a worker thread
the loop serves other conversations during those waits (BENCHMARKS.md).

A blocking call could not be interrupted; a call moved to a thread must not be either. When
the turn is cancelled meanwhile (Sanic cancels a request whose client hung up), ``to_the_end``
still waits for the work to end before the cancellation goes on: the conversation's lock is
not given back while its events are still being written, and a lock ticket taken for a
cancelled turn is given back (``undo``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def to_the_end(
    work: Callable[..., T], *args: Any, undo: Callable[[T], Any] | None = None
) -> T:
    """``work(*args)`` in a worker thread. Cancelled meanwhile, the caller still waits for it
    to end, then ``undo``es what it did (if it succeeded), and the cancellation goes on."""
    running = asyncio.ensure_future(asyncio.to_thread(work, *args))
    try:
        return await asyncio.shield(running)
    except asyncio.CancelledError:
        with contextlib.suppress(BaseException):
            await asyncio.wait({running})
            if undo is not None and running.exception() is None:
                await asyncio.to_thread(undo, running.result())
        raise
