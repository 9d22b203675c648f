"""A WebSocket's subscription tells news from the typing indicator and misses no wake-up."""

from __future__ import annotations

import asyncio

from desk.notifier import Notifier, Wake
from tests.support.threads import in_own_thread


def test_news_typing_and_silence_are_told_apart() -> None:
    async def scenario() -> list[Wake]:
        notifier = Notifier()
        with notifier.subscribe("c1") as wake_ups:
            notifier.notify_typing("c1")
            typing = await wake_ups.wait(1.0)
            notifier.notify("c1")
            news = await wake_ups.wait(1.0)
            notifier.notify("another conversation")
            silence = await wake_ups.wait(0.05)
        return [typing, news, silence]

    assert in_own_thread(asyncio.run, scenario()) == [Wake.TYPING, Wake.NEWS, Wake.TIMEOUT]


def test_news_heard_while_the_holder_was_busy_waits_for_its_next_wait() -> None:
    """The typing indicator and a stored message arrive together: the news is not lost
    behind the indicator, and a later wait has nothing left."""

    async def scenario() -> list[Wake]:
        notifier = Notifier()
        with notifier.subscribe("c1") as wake_ups:
            notifier.notify_typing("c1")
            notifier.notify("c1")
            first = await wake_ups.wait(1.0)
            second = await wake_ups.wait(0.05)
        return [first, second]

    assert in_own_thread(asyncio.run, scenario()) == [Wake.NEWS, Wake.TIMEOUT]


def test_a_long_poll_wakes_for_the_typing_indicator_too() -> None:
    async def scenario() -> bool:
        notifier = Notifier()
        waiting = asyncio.create_task(notifier.wait("c1", 1.0))
        await asyncio.sleep(0)
        notifier.notify_typing("c1")
        return await waiting

    assert in_own_thread(asyncio.run, scenario()) is True


def test_a_wait_cancelled_as_news_arrives_is_cancelled() -> None:
    """A WebSocket's push is cancelled when its socket closes; news arriving in the same
    instant must not swallow the cancellation (the push then never ended, nor its socket)."""

    async def scenario() -> str:
        notifier = Notifier()
        with notifier.subscribe("c1") as wake_ups:
            waiting = asyncio.ensure_future(wake_ups.wait(10.0))
            await asyncio.sleep(0)
            notifier.notify("c1")
            waiting.cancel()
            try:
                await waiting
            except asyncio.CancelledError:
                return "cancelled"
            return "went on"

    assert in_own_thread(asyncio.run, scenario()) == "cancelled"
