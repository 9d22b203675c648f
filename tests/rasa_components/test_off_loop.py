"""The Rasa server's blocking round trips in a worker thread (bot/off_loop.py): the event loop
serves others meanwhile, and a cancelled caller still lets the work end, then undoes it."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from bot.off_loop import to_the_end
from tests.support.threads import in_own_thread


def test_the_work_runs_in_another_thread_while_the_loop_serves_others() -> None:
    ticks: list[float] = []

    def blocking() -> int:
        time.sleep(0.3)
        return threading.get_ident()

    async def other_conversation() -> None:
        for _ in range(5):
            ticks.append(time.monotonic())
            await asyncio.sleep(0.02)

    async def both() -> tuple[int, int]:
        started = time.monotonic()
        worker, _ = await asyncio.gather(to_the_end(blocking), other_conversation())
        assert all(tick - started < 0.25 for tick in ticks)  # not after the blocking call
        return worker, threading.get_ident()

    worker, loop_thread = in_own_thread(asyncio.run, both())
    assert worker != loop_thread
    assert len(ticks) == 5


def test_an_error_of_the_work_reaches_the_caller() -> None:
    def failing() -> None:
        raise ValueError("database gone")

    with pytest.raises(ValueError, match="database gone"):
        in_own_thread(asyncio.run, to_the_end(failing))


def test_a_cancelled_caller_waits_for_the_work_then_undoes_it() -> None:
    events: list[str] = []

    def take() -> str:
        time.sleep(0.2)
        events.append("taken")
        return "ticket 7"

    async def turn() -> None:
        await to_the_end(take, undo=lambda taken: events.append(f"gave back {taken}"))
        events.append("turn went on")  # never: it was cancelled

    async def cancel_it() -> None:
        task = asyncio.create_task(turn())
        await asyncio.sleep(0.05)  # the work under way
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        events.append("cancelled")

    in_own_thread(asyncio.run, cancel_it())
    assert events == ["taken", "gave back ticket 7", "cancelled"]


def test_work_that_failed_is_not_undone_when_the_caller_is_cancelled() -> None:
    undone: list[object] = []

    def failing() -> None:
        time.sleep(0.1)
        raise ValueError("no ticket")

    async def cancel_it() -> None:
        task = asyncio.create_task(to_the_end(failing, undo=undone.append))
        await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    in_own_thread(asyncio.run, cancel_it())
    assert undone == []
