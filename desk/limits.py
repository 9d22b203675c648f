"""Per-client limits on what shoppers' browsers may ask of the desk.

Without them one script could open conversations by the thousand, send messages faster than
the bot answers and fill the agents' queue with requests for a person. Each limit is a sliding
window kept in this desk process's memory: with several desk processes behind a load balancer
each one counts on its own (the effective limit is multiplied by their number), and a restart
forgets the counts. A client is its address as the desk sees it (``DESK_TRUSTED_PROXIES``
makes it the shopper's address rather than the proxy's).

A refused message is neither stored nor relayed: the shopper reads why and keeps the text.
A refused request for a person reaches the bot (the message is stored and relayed), but the
desk opens no handoff: Rasa is resumed and the shopper is told how else to reach the shop.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from starlette.requests import HTTPConnection

from desk.relay import BotMessage, RasaClient
from desk.settings import Settings
from shop.voice import say

MAX_KEYS = 100_000

# The address of the shopper whose request is being served: set by the widget's routes, read
# by the Rasa client when the bot hands the conversation over.
current_client: ContextVar[str | None] = ContextVar("desk_current_client", default=None)


class RateLimited(Exception):
    """Refused for now; ``str()`` is the French sentence for the shopper."""

    def __init__(self, detail: str, retry_after_s: float) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class SlidingWindow:
    """At most ``limit`` events per ``window_s`` seconds for each key (0: no limit)."""

    def __init__(
        self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._events: dict[str, deque[float]] = {}

    def wait_s(self, key: str) -> float:
        """Seconds before ``key`` may have one more event (0: now)."""
        if self.limit <= 0:
            return 0.0
        events = self._events.get(key)
        if events is None:
            return 0.0
        now = self._clock()
        while events and events[0] <= now - self.window_s:
            events.popleft()
        if len(events) < self.limit:
            return 0.0
        return max(events[0] + self.window_s - now, 0.001)

    def record(self, key: str) -> None:
        if self.limit <= 0:
            return
        if len(self._events) >= MAX_KEYS:
            self._forget_idle()
        self._events.setdefault(key, deque()).append(self._clock())

    def _forget_idle(self) -> None:
        horizon = self._clock() - self.window_s
        for key in [k for k, events in self._events.items() if not events or events[-1] <= horizon]:
            del self._events[key]


class ShopperLimits:
    """The desk's three limits; every check counts the event when it is allowed."""

    def __init__(
        self,
        new_conversations_per_hour: int,
        messages_per_minute: int,
        handoffs_per_hour: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.new_conversations = SlidingWindow(new_conversations_per_hour, 3600, clock)
        self.messages = SlidingWindow(messages_per_minute, 60, clock)
        self.handoffs = SlidingWindow(handoffs_per_hour, 3600, clock)
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> ShopperLimits:
        return cls(
            settings.new_conversations_per_hour,
            settings.messages_per_minute,
            settings.handoffs_per_hour,
        )

    def _take(self, window: SlidingWindow, *keys: str) -> float:
        """Counts one event under every key when all allow it; else the wait, nothing counted."""
        with self._lock:
            wait = max(window.wait_s(key) for key in keys)
            if wait == 0:
                for key in keys:
                    window.record(key)
            return wait

    def new_conversation(self, client: str) -> None:
        wait = self._take(self.new_conversations, client)
        if wait:
            raise RateLimited(say("rate_limit.new_conversations", wait=french_wait(wait)), wait)

    def message(self, client: str, conversation_id: str) -> None:
        wait = self._take(self.messages, f"client:{client}", f"conversation:{conversation_id}")
        if wait:
            raise RateLimited(say("rate_limit.messages", wait=french_wait(wait)), wait)

    def handoff_wait_s(self, client: str) -> float:
        return self._take(self.handoffs, client)


def french_wait(seconds: float) -> str:
    """« 12 secondes », « 1 minute », « 25 minutes » (rounded up)."""
    if seconds < 60:
        whole = max(math.ceil(seconds), 1)
        return say(
            "rate_limit.wait_seconds" if whole > 1 else "rate_limit.wait_second", count=whole
        )
    minutes = math.ceil(seconds / 60)
    return say(
        "rate_limit.wait_minutes" if minutes > 1 else "rate_limit.wait_minute", count=minutes
    )


def client_address(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else "unknown"


@dataclass(frozen=True)
class HandoffRefusal:
    phone: str

    def text(self, wait_s: float) -> str:
        return say("rate_limit.handoffs", wait=french_wait(wait_s), phone=self.phone)


class HandoffLimitedRasaClient(RasaClient):
    """Rasa's client, refusing a handoff beyond the current client's limit.

    The bot has already paused the conversation for a person: the desk resumes it, so the bot
    keeps answering, and replaces the turn's answers with the refusal.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        timeout_s: float,
        limits: ShopperLimits,
        refusal: HandoffRefusal,
        pseudonym: Callable[[str], str],
    ) -> None:
        super().__init__(base_url, token, timeout_s)
        self._limits = limits
        self._refusal = refusal
        self._pseudonym = pseudonym

    async def send(
        self,
        conversation_id: str,
        text: str,
        client_key: str | None = None,
        message_id: int | None = None,
    ) -> list[BotMessage]:
        client = current_client.get()
        if client_key is None and client is not None:
            client_key = self._pseudonym(client)
        answers = await super().send(conversation_id, text, client_key, message_id)
        if client is None or not any(answer.handoff is not None for answer in answers):
            return answers
        wait = self._limits.handoff_wait_s(client)
        if not wait:
            return answers
        await self.resume(conversation_id)
        return [BotMessage(text=self._refusal.text(wait))]
