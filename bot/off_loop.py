"""The Rasa server's database and Redis round trips, in a worker thread instead of its event loop.

Rasa calls its tracker store and lock store from its one event loop, and both stores block: a
save's statements and commit, the lock's two Redis scripts. At 500 open conversations the loop
was never idle (py-spy ``--idle``): a fifth of its time went waiting for PostgreSQL and 5 % for
Redis, on a machine with CPU to spare, and the answers queued behind it. In a worker thread the
loop serves other conversations during those waits (BENCHMARKS.md).

A blocking call could not be interrupted; a call moved to a thread must not be either. A shopper's
turn is never cancelled (``bot/repeated_messages.py`` runs it to its end), but Rasa's other
endpoints that take the conversation's lock (the desk's ``resume`` events, the tracker's) and a
server stopping can cancel a task mid-call. ``to_the_end`` then still waits for the work to end
before the cancellation goes on, however often it is cancelled: the conversation's lock is not
given back while its events are still being written, and a lock ticket taken for a cancelled
task is given back (``undo``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from shop.waiting import until_done

T = TypeVar("T")
logger = logging.getLogger(__name__)


async def to_the_end(
    work: Callable[..., T], *args: Any, undo: Callable[[T], Any] | None = None
) -> T:
    """``work(*args)`` in a worker thread. Cancelled meanwhile, the caller still waits for it
    to end, then ``undo``es what it did (if it succeeded), and the cancellation goes on."""
    running = asyncio.ensure_future(asyncio.to_thread(work, *args))
    try:
        return await asyncio.shield(running)
    except asyncio.CancelledError:
        await until_done(running)
        if undo is not None and running.exception() is None:
            undoing = asyncio.ensure_future(asyncio.to_thread(undo, running.result()))
            await until_done(undoing)
            if undoing.exception() is not None:
                logger.warning(
                    "could not undo the work of a cancelled task: %s",
                    type(undoing.exception()).__name__,
                )
        raise
