"""Several desk processes behind nginx: news stored by one desk wakes the waiters of another at
once through Redis (``desk/notifier.py``), and Redis being down only brings the timeout back."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

import redis.asyncio as redis_asyncio
from fastapi.testclient import TestClient

from desk.notifier import CHANNEL, Notifier
from devtools.services import RedisServer
from tests.desk.conftest import login, say, start
from tests.support.threads import in_own_thread

LONG_WAIT_S = 20  # a waiter nobody wakes returns after this long


def _woken(waiter: Notifier, notifier: Notifier, key: str, timeout_s: float) -> bool:
    async def scenario() -> bool:
        await waiter.start()
        await notifier.start()
        try:
            waiting = asyncio.create_task(waiter.wait(key, timeout_s))
            await asyncio.sleep(0.2)
            notifier.notify(key)
            return await waiting
        finally:
            await notifier.stop()
            await waiter.stop()

    return in_own_thread(asyncio.run, scenario())


def test_a_wake_up_in_one_desk_reaches_a_waiter_in_another(redis_server: RedisServer) -> None:
    one, other = Notifier(redis_server.url), Notifier(redis_server.url)
    assert _woken(other, one, "conversation-1", LONG_WAIT_S)


def test_without_redis_the_other_desk_only_sees_news_at_its_timeout() -> None:
    assert not _woken(Notifier(), Notifier(), "conversation-1", 1.0)


def test_redis_down_keeps_the_desk_working_and_wake_ups_come_back_with_it(
    redis_server: RedisServer,
) -> None:
    async def scenario() -> tuple[bool, bool, bool]:
        one, other = Notifier(redis_server.url), Notifier(redis_server.url)
        await one.start()
        await other.start()
        try:
            redis_server.stop()
            local = asyncio.create_task(one.wait("c", LONG_WAIT_S))
            await asyncio.sleep(0.1)
            one.notify("c")  # must neither raise nor block
            woken_here = await local
            lost = await _notify_and_wait(one, other, "c", 1.0)
            redis_server.start()  # same port: both desks reconnect by themselves
            deadline = time.monotonic() + 15
            back = False
            while not back and time.monotonic() < deadline:
                back = await _notify_and_wait(one, other, "c", 0.5)
            return woken_here, lost, back
        finally:
            await one.stop()
            await other.stop()

    woken_here, lost, back = in_own_thread(asyncio.run, scenario())
    assert woken_here, "a waiter of the same desk is woken even with Redis down"
    assert not lost, "with Redis down the other desk waits for its timeout"
    assert back, "once Redis is back, wake-ups reach the other desk again"


def test_wake_ups_of_one_moment_travel_in_one_publication(redis_server: RedisServer) -> None:
    """A stored message wakes its conversation and the console: one publication, heard once by
    each other desk, wakes both (each key once)."""

    async def scenario() -> tuple[list[bool], list[bytes]]:
        one, other = Notifier(redis_server.url), Notifier(redis_server.url)
        await one.start()
        await other.start()
        listener = redis_asyncio.from_url(redis_server.url)
        try:
            async with listener.pubsub() as pubsub:
                await pubsub.subscribe(CHANNEL)
                waits = [
                    asyncio.create_task(other.wait(key, LONG_WAIT_S)) for key in ("c1", "console")
                ]
                await asyncio.sleep(0.2)
                one.notify("c1")
                one.notify("console")
                one.notify("c1")
                woken = list(await asyncio.gather(*waits))
                heard = []
                deadline = time.monotonic() + 1  # a second publication would be there by then
                while time.monotonic() < deadline:
                    message = await pubsub.get_message(timeout=0.1)
                    if message is not None and message["type"] == "message":
                        heard.append(message["data"])
                return woken, heard
        finally:
            await listener.close()
            await one.stop()
            await other.stop()

    woken, heard = in_own_thread(asyncio.run, scenario())
    assert woken == [True, True]
    assert len(heard) == 1, heard
    assert heard[0].split(b"|", 1)[1] == b"c1\nconsole"


async def _notify_and_wait(one: Notifier, other: Notifier, key: str, timeout_s: float) -> bool:
    waiting = asyncio.create_task(other.wait(key, timeout_s))
    await asyncio.sleep(0.05)
    one.notify(key)
    return await waiting


def test_a_shopper_writing_to_one_desk_wakes_the_console_of_an_agent_on_another(
    make_client: Callable[..., TestClient], redis_server: RedisServer
) -> None:
    shopper_desk = make_client(redis_url=redis_server.url)
    agent_desk = make_client(redis_url=redis_server.url)
    login(agent_desk)
    conversation = start(shopper_desk)
    took: list[float] = []

    def poll() -> None:
        begin = time.monotonic()
        response = agent_desk.get(
            f"/console/api/conversations/{conversation}",
            params={"after": 10**6, "wait": LONG_WAIT_S},
        )
        assert response.status_code == 200, response.text
        took.append(time.monotonic() - begin)

    thread = threading.Thread(target=poll)
    thread.start()
    time.sleep(1.0)  # the agent's long poll now waits inside the other desk
    say(shopper_desk, conversation, "bonjour")
    thread.join(LONG_WAIT_S + 10)
    assert took and took[0] < LONG_WAIT_S / 2, took
