"""A server's startup objects set aside from the garbage collector's full passes.

Once its model is loaded a Rasa server holds ~550 000 objects (TensorFlow, spaCy, the domain,
the rules) that live as long as the process. CPython's full collection walks all of them: 260 ms
on a quiet machine, 300-650 ms under load, every 15-50 s, and every turn on that server waits
meanwhile; the desks' and the action server's took 100-300 ms (``scripts/bench_turn_cpu.py
--gc-pauses``, BENCHMARKS.md). After startup, one collection frees the garbage, then
``gc.freeze`` moves the survivors to a permanent generation that later collections skip. What
the server makes later (conversations, turns) is collected as before.

Call it once the process has made what it keeps (after a model's load), in the server process
only: tests and tools that build an app in their own process do not call it. A frozen object is
still freed when nothing refers to it, but a frozen cycle never is: a model swapped through
Rasa's API (``PUT /model``, which the product does not use: a new model means a restart) would
leave the old one's cycles in memory.
"""

from __future__ import annotations

import gc
import logging
import time

logger = logging.getLogger(__name__)


def set_aside_startup_objects(server: str) -> int:
    """Collect, then freeze what survives; the number of objects set aside."""
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    set_aside = gc.get_freeze_count()
    logger.info(  # in thousands: the logs' masking takes a long number for an order's
        "%s: %d thousand startup objects set aside from garbage collection (%.0f ms)",
        server,
        round(set_aside / 1000),
        (time.perf_counter() - started) * 1000,
    )
    return set_aside
