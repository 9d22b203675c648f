"""Run test code in a thread of its own: other tests of the session may leave an event loop
running in the main thread, where ``asyncio.run`` and ``run_until_complete`` then fail."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def in_own_thread(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)``, called in a fresh thread; its result, or its exception raised here."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(function, *args).result()
