"""The supervised form of the outbox sender and the PrestaShop poller: one pass, then a wait,
until the process is asked to stop.

supervisord, systemd and Kubernetes all stop a program with SIGTERM and kill it a while later.
The signal only sets a flag: the pass under way finishes (a request to the platform is never cut
in half by our own stop), the wait ends at once, and the loop returns, so the program exits 0
well within its grace period. A pass that fails (the database or the platform away) never ends
the loop: it is logged and tried again after a growing delay.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterable

LOG = logging.getLogger(__name__)
MAX_BACKOFF_S = 300.0


def stop_on_signals(
    signals: Iterable[signal.Signals] = (signal.SIGTERM, signal.SIGINT),
) -> threading.Event:
    """An event set when the process receives one of ``signals`` (main thread only)."""
    stop = threading.Event()

    def handler(signum: int, frame: object) -> None:
        LOG.info("%s received: stopping after the pass under way", signal.Signals(signum).name)
        stop.set()

    for each in signals:
        signal.signal(each, handler)
    return stop


def run_every(
    step: Callable[[], object],
    every_s: float,
    stop: threading.Event,
    *,
    name: str,
    max_backoff_s: float = MAX_BACKOFF_S,
) -> int:
    """Run ``step`` every ``every_s`` seconds until ``stop`` is set; returns the passes run."""
    if every_s <= 0:
        raise ValueError(f"the interval must be positive, not {every_s}")
    passes = 0
    delay = every_s
    while not stop.is_set():
        try:
            step()
        except Exception:  # the loop outlives any one pass; the supervisor sees it running
            delay = min(max(delay * 2, every_s), max(max_backoff_s, every_s))
            LOG.exception("%s failed; next try in %.0f s", name, delay)
        else:
            delay = every_s
        passes += 1
        stop.wait(delay)
    return passes
