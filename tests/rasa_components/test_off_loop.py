"""The Rasa server's blocking round trips in a worker thread (bot/off_loop.py): the event loop
serves others meanwhile, and a cancelled caller still lets the work end, then undoes it."""

from __future__ import annotations

import asyncio
import threading

import pytest

from bot.off_loop import to_the_end
from tests.support.threads import in_own_thread

LONG_S = 10.0  # a bound no healthy run reaches: the tests wait on events, not on time


def test_the_work_runs_in_another_thread_while_the_loop_serves_others() -> None:
    started, release = threading.Event(), threading.Event()
    served: list[str] = []

    def blocking() -> int:
        started.set()
        assert release.wait(LONG_S), "the loop never served the other conversation"
        return threading.get_ident()

    async def other_conversation() -> None:
        await asyncio.to_thread(started.wait, LONG_S)
        served.append("served while the work blocked")
        release.set()

    async def both() -> tuple[int, int]:
        worker, _ = await asyncio.gather(to_the_end(blocking), other_conversation())
        return worker, threading.get_ident()

    worker, loop_thread = in_own_thread(asyncio.run, both())
    assert worker != loop_thread
    assert served == ["served while the work blocked"]


def test_an_error_of_the_work_reaches_the_caller() -> None:
    def failing() -> None:
        raise ValueError("database gone")

    with pytest.raises(ValueError, match="database gone"):
        in_own_thread(asyncio.run, to_the_end(failing))


def cancelled_during(
    started: threading.Event, release: threading.Event, times: int, coroutine: object
) -> list[str]:
    """Run ``coroutine``, cancel it ``times`` once its work has started, then let the work end;
    what happened."""
    happened: list[str] = []

    async def cancel_it() -> None:
        task = asyncio.ensure_future(coroutine)  # type: ignore[call-overload]
        await asyncio.to_thread(started.wait, LONG_S)
        for _ in range(times):
            task.cancel()
            await asyncio.sleep(0)
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await task
        happened.append("cancelled")

    in_own_thread(asyncio.run, cancel_it())
    return happened


@pytest.mark.parametrize("cancellations", [1, 3])
def test_a_cancelled_caller_waits_for_the_work_then_undoes_it(cancellations: int) -> None:
    started, release = threading.Event(), threading.Event()
    events: list[str] = []

    def take() -> str:
        started.set()
        release.wait(LONG_S)  # under way until the cancellations came
        events.append("taken")
        return "ticket 7"

    async def turn() -> None:
        await to_the_end(take, undo=lambda taken: events.append(f"gave back {taken}"))
        events.append("turn went on")  # never: it was cancelled

    events += cancelled_during(started, release, cancellations, turn())
    assert events == ["taken", "gave back ticket 7", "cancelled"]


def test_work_that_failed_is_not_undone_when_the_caller_is_cancelled() -> None:
    started, release = threading.Event(), threading.Event()
    undone: list[object] = []

    def failing() -> None:
        started.set()
        release.wait(LONG_S)
        raise ValueError("no ticket")

    work = to_the_end(failing, undo=undone.append)
    assert cancelled_during(started, release, 1, work) == ["cancelled"]
    assert undone == []
