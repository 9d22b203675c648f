"""The Redis lock store several Rasa servers share (bot/lock_store.py), on a real redis-server."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AtomicRedisLockStore
from devtools.services import RedisServer
from scripts.write_endpoints import lock_store
from tests.support.threads import in_own_thread


def new_store(server: RedisServer) -> AtomicRedisLockStore:
    """One store per simulated Rasa server: its own connection, as in a process of its own."""
    return AtomicRedisLockStore(EndpointConfig.from_dict(lock_store(server.url)))


def test_servers_issuing_tickets_at_once_never_share_one(redis_server: RedisServer) -> None:
    stores = [new_store(redis_server) for _ in range(8)]

    def take_tickets(store: AtomicRedisLockStore) -> list[int]:
        return [store.issue_ticket("same-conversation") for _ in range(25)]

    with ThreadPoolExecutor(max_workers=len(stores)) as pool:
        tickets = [t for batch in pool.map(take_tickets, stores) for t in batch]
    assert sorted(tickets) == list(range(200))  # Rasa's own store hands out duplicates here
    lock = stores[0].get_lock("same-conversation")
    assert lock is not None and len(lock.tickets) == 200


def test_leaving_keeps_the_ticket_another_server_took_meanwhile(
    redis_server: RedisServer,
) -> None:
    first, second = new_store(redis_server), new_store(redis_server)
    mine = first.issue_ticket("handover")
    theirs = second.issue_ticket("handover")
    first.cleanup("handover", mine)
    lock = second.get_lock("handover")
    assert lock is not None and lock.now_serving == theirs
    second.cleanup("handover", theirs)
    assert second.get_lock("handover") is None  # the last one out deletes the queue
    assert redis_server.client().keys("*handover*") == []


def test_messages_of_one_conversation_take_turns_across_servers(
    redis_server: RedisServer,
) -> None:
    stores = [new_store(redis_server) for _ in range(3)]
    log: list[str] = []

    async def handle(store: AtomicRedisLockStore, name: str) -> None:
        async with store.lock("turns", wait_time_in_seconds=1):
            log.append(f"{name} in")
            await asyncio.sleep(0.05)
            log.append(f"{name} out")

    async def all_at_once() -> float:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.gather(*(handle(s, str(i)) for i, s in enumerate(stores)))
        return loop.time() - started

    elapsed = in_own_thread(asyncio.run, all_at_once())
    assert len(log) == 6
    assert all(log[i].endswith("in") and log[i + 1] == log[i][:-2] + "out" for i in (0, 2, 4))
    assert elapsed < 1.0  # waiting messages look again every 50 ms, not every second
    assert redis_server.client().keys("*turns*") == []


def test_a_message_served_at_once_costs_two_round_trips(redis_server: RedisServer) -> None:
    """Taking the ticket says it is served; giving it back deletes the queue (they block the
    Rasa server's event loop: a watched transaction per change took seven)."""
    store, client = new_store(redis_server), redis_server.client()

    async def one_message() -> None:
        async with store.lock("quick"):
            assert client.exists(store.key_prefix + "quick")

    in_own_thread(asyncio.run, one_message())  # the scripts are loaded on first use
    client.config_resetstat()
    in_own_thread(asyncio.run, one_message())
    stats = client.info("commandstats")  # a script's own GET and SET count as well
    assert stats["cmdstat_evalsha"]["calls"] == 2
    assert not {"cmdstat_watch", "cmdstat_multi", "cmdstat_exec"} & set(stats)
    assert client.keys("*quick*") == []


def test_a_turn_cancelled_while_taking_its_ticket_gives_it_back(redis_server: RedisServer) -> None:
    """A task holding the lock can be cancelled (Rasa's endpoints other than the shopper's
    turn, a server stopping): the ticket the Redis script issued in the worker thread must not
    stay in the queue (the conversation's next message would wait for it to expire)."""
    store = new_store(redis_server)

    async def cancelled_turn() -> None:
        async def turn() -> None:
            async with store.lock("hung-up"):
                await asyncio.sleep(10)

        task = asyncio.create_task(turn())
        await asyncio.sleep(0)  # the turn is now waiting for its ticket
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    in_own_thread(asyncio.run, cancelled_turn())
    assert store.get_lock("hung-up") is None
    assert redis_server.client().keys("*hung-up*") == []
    assert store.issue_ticket("hung-up") == 0  # served at once: nothing left waiting
