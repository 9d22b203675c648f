"""Wakes up whoever waits for news of a conversation (WebSockets, long polls, the console).

The database is the only source of truth: a woken waiter re-reads the messages after its own
cursor, so a missed or duplicated wake-up never loses or repeats a message. Waiters also wake
on a timeout, which keeps several desk processes consistent even without a broker. The typing
indicator (the bot is answering) wakes waiters too, but says that nothing was stored: a
WebSocket's ``subscribe`` tells it apart and sends the indicator without reading the database.

With a Redis URL (``SHOP_REDIS_URL``, the production launcher's) every wake-up is also published
to the other desk processes, so an agent's reply stored by one desk reaches a shopper's
WebSocket held by another at once instead of at that WebSocket's next check. Redis being down
only brings the timeout back: a wake-up is a hint, never the message. The wake-ups waiting to
be published go together, each key once, in one publication (a stored message wakes its
conversation and the console: one publication, heard once by each desk, not two).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterator

import redis.asyncio as redis_asyncio
from redis.exceptions import RedisError

logger = logging.getLogger("desk.notifier")

CHANNEL = "bijou:desk:wake-ups"
KEYS_APART = "\n"  # between the keys of one publication (no key holds a line break)
PENDING_MAX = 10_000  # wake-ups waiting to be published; beyond, waiters rely on their timeout
RETRY_MIN_S, RETRY_MAX_S = 0.5, 10.0


class Wake(enum.Enum):
    NEWS = "news"  # something was stored: read again
    TYPING = "typing"  # only the typing indicator changed (this desk's)
    TIMEOUT = "timeout"  # nothing heard: read again, in case a wake-up was lost


class Subscription:
    """The wake-ups of one key for as long as its holder listens: one arriving while the
    holder is busy is kept for its next ``wait``."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self._news = False

    def wake(self, news: bool) -> None:
        self._news = self._news or news
        self._event.set()

    async def wait(self, timeout_s: float) -> Wake:
        """Not ``asyncio.wait_for``: on Python 3.10 it returns instead of raising when it is
        cancelled just as the event is set, and a WebSocket's push, cancelled when the socket
        closes, then went on for ever (its handler never ended)."""
        if not self._event.is_set():  # else: heard while the holder was busy, no task needed
            waiter = asyncio.ensure_future(self._event.wait())
            try:
                await asyncio.wait({waiter}, timeout=timeout_s)
            finally:
                waiter.cancel()
        if not self._event.is_set():
            return Wake.TIMEOUT
        news, self._news = self._news, False
        self._event.clear()
        return Wake.NEWS if news else Wake.TYPING


class Notifier:
    def __init__(self, redis_url: str = "", channel: str = CHANNEL) -> None:
        self._waiters: defaultdict[str, set[Subscription]] = defaultdict(set)
        self._redis_url = redis_url
        self._channel = channel
        self._origin = uuid.uuid4().hex  # our own publications come back: skip them
        self._pending: asyncio.Queue[str] | None = None
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def shared(self) -> bool:
        """True when wake-ups travel to the other desk processes."""
        return bool(self._redis_url)

    def notify(self, key: str) -> None:
        """Something of ``key`` was stored: wake its waiters here and in the other desks."""
        self._wake(key)
        if self._pending is not None:
            with contextlib.suppress(asyncio.QueueFull):
                self._pending.put_nowait(key)

    def notify_typing(self, key: str) -> None:
        """Only this desk's typing indicator changed (the other desks do not show it)."""
        self._wake(key, news=False)

    @contextlib.contextmanager
    def subscribe(self, key: str) -> Iterator[Subscription]:
        subscription = Subscription()
        self._waiters[key].add(subscription)
        try:
            yield subscription
        finally:
            waiters = self._waiters.get(key)
            if waiters is not None:
                waiters.discard(subscription)
                if not waiters:
                    self._waiters.pop(key, None)

    async def wait(self, key: str, timeout_s: float) -> bool:
        """True when woken by ``notify`` (here or in another desk) or the typing indicator,
        False on timeout."""
        with self.subscribe(key) as subscription:
            return await subscription.wait(timeout_s) is not Wake.TIMEOUT

    async def start(self) -> None:
        """Connect the wake-ups to the other desks (nothing to do without a Redis URL)."""
        if not self._redis_url or self._tasks:
            return
        self._pending = asyncio.Queue(PENDING_MAX)
        subscribed = asyncio.Event()
        self._tasks = [
            asyncio.create_task(self._listen_forever(subscribed)),
            asyncio.create_task(self._publish_forever()),
        ]
        # A wake-up published before the subscription would be missed by nobody but us; wait
        # a little for it so that a desk that just started hears the others at once.
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(subscribed.wait(), timeout=2)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        self._pending = None

    def _wake(self, key: str, news: bool = True) -> None:
        for subscription in list(self._waiters.get(key, ())):
            subscription.wake(news)

    def _wake_everyone(self) -> None:
        for key in list(self._waiters):
            self._wake(key)

    async def _listen_forever(self, subscribed: asyncio.Event) -> None:
        delay = RETRY_MIN_S
        while True:
            client = redis_asyncio.from_url(self._redis_url)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(self._channel)
                    subscribed.set()
                    # Whatever was published while we were not listening is unknown: every
                    # waiter re-reads once, which costs a query and never loses a message.
                    self._wake_everyone()
                    delay = RETRY_MIN_S
                    async for message in pubsub.listen():
                        self._heard(message)
            except (RedisError, OSError) as error:
                logger.warning(
                    "wake-ups from other desks unavailable (%s); retrying in %.1f s",
                    type(error).__name__,
                    delay,
                )
            finally:
                await client.close()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_S)

    def _heard(self, message: dict[str, object]) -> None:
        if message.get("type") != "message":
            return
        data = message.get("data")
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
        origin, _, keys = text.partition("|")
        if origin != self._origin:
            for key in filter(None, keys.split(KEYS_APART)):
                self._wake(key)

    async def _publish_forever(self) -> None:
        assert self._pending is not None
        client = redis_asyncio.from_url(self._redis_url)
        delay = RETRY_MIN_S
        try:
            while True:
                keys = [await self._pending.get()]
                while not self._pending.empty():
                    keys.append(self._pending.get_nowait())
                together = KEYS_APART.join(dict.fromkeys(keys))  # each once, in order
                try:
                    await client.publish(self._channel, f"{self._origin}|{together}")
                    delay = RETRY_MIN_S
                except (RedisError, OSError) as error:
                    # Dropped: the other desks' waiters will see the news at their timeout.
                    logger.warning(
                        "wake-up not published (%s); retrying later", type(error).__name__
                    )
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, RETRY_MAX_S)
        finally:
            await client.close()
