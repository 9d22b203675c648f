"""Rasa's Redis lock store, safe with several Rasa servers on the same conversations.

Rasa takes a lock per conversation around each message, so that one conversation's messages are
handled one after the other: a queue of tickets, kept in Redis when several Rasa servers share the
conversations (design.md). Rasa's ``RedisLockStore`` reads that queue, changes it in the server
and writes it back. Two servers receiving messages of one conversation at the same instant both
read an empty queue, both take the first ticket and both answer at once, each from a tracker
without the other's message; and a server removing its ticket can delete the queue another
server has just joined, whose message then fails (RasaHQ/rasa#9213; the fix,
``ConcurrentRedisLockStore``, was taken out of Rasa Open Source). The production-stores test
saw both: two sessions started for one conversation, and a message left without an answer.

Here each change of a queue is one Lua script, which Redis runs atomically: read the queue,
drop the expired tickets, add or remove one, write it back (or delete it once empty). Tickets
are then issued, served and removed one at a time, whatever the number of servers. The queue
keeps Rasa's own format (``TicketLock.dumps``), so Rasa's ``get_lock`` reads it as before.

A message costs two round trips to Redis: taking a ticket (which also says whether it is served
at once, the usual case) and giving it back, both in a worker thread (``bot/off_loop.py``: in
the Rasa server's event loop they held up every other conversation); a watched transaction per
change took seven. Waiting messages look again every 50 ms instead of every second.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.off_loop import to_the_end

POLL_SECONDS = 0.05
NO_TICKET = -1

# The queue's tickets still valid at ARGV[2] (now), as Lua tables {number, expires}.
_READ_QUEUE = """
local tickets = {}
local stored = redis.call('GET', KEYS[1])
if stored then
    for _, text in ipairs(cjson.decode(stored)['tickets'] or {}) do
        local ticket = cjson.decode(text)
        if tonumber(ticket['expires']) >= tonumber(ARGV[2]) then
            table.insert(tickets, ticket)
        end
    end
end
local function save(conversation_id)
    if #tickets == 0 then
        redis.call('DEL', KEYS[1])
        return
    end
    local texts = {}
    for i, ticket in ipairs(tickets) do
        texts[i] = cjson.encode({number = ticket['number'], expires = ticket['expires']})
    end
    redis.call('SET', KEYS[1], cjson.encode({conversation_id = conversation_id, tickets = texts}))
end
"""

# ARGV: conversation id, now, lifetime. Returns {the new ticket, the ticket served now}.
ISSUE = (
    _READ_QUEUE
    + """
local number = 0
if #tickets > 0 then number = tickets[#tickets]['number'] + 1 end
table.insert(tickets, {number = number, expires = tonumber(ARGV[2]) + tonumber(ARGV[3])})
save(ARGV[1])
return {number, tickets[1]['number']}
"""
)

# ARGV: conversation id, now, the ticket to remove (-1: none, only the expired ones go).
REMOVE = (
    _READ_QUEUE
    + """
for i = #tickets, 1, -1 do
    if tickets[i]['number'] == tonumber(ARGV[3]) then table.remove(tickets, i) end
end
save(ARGV[1])
return #tickets
"""
)


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        """Built by Rasa from the ``lock_store`` endpoint (scripts/write_endpoints.py)."""
        super().__init__(host=endpoint_config.url or "localhost", **endpoint_config.kwargs)
        self._issue = self.red.register_script(ISSUE)
        self._remove = self.red.register_script(REMOVE)

    def _take(self, conversation_id: str, lock_lifetime: float) -> tuple[int, int]:
        """A new ticket, and the ticket served now."""
        try:
            number, serving = self._issue(
                keys=[self.key_prefix + conversation_id],
                args=[conversation_id, repr(time.time()), repr(float(lock_lifetime))],
            )
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        return int(number), int(serving)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        return self._take(conversation_id, lock_lifetime)[0]

    def _give_back(self, conversation_id: str, ticket_number: int) -> None:
        self._remove(
            keys=[self.key_prefix + conversation_id],
            args=[conversation_id, repr(time.time()), ticket_number],
        )

    def update_lock(self, conversation_id: str) -> None:
        self._give_back(conversation_id, NO_TICKET)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._give_back(conversation_id, ticket_number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Serving done: the ticket goes, and the queue with it when no one else waits (one
        script: a ticket issued meanwhile by another server is kept)."""
        self.finish_serving(conversation_id, ticket_number)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncIterator[TicketLock]:
        """Rasa's ``lock``, without reading the queue again when the new ticket is served at
        once (no other message of the conversation in progress); the two scripts run off the
        event loop (``bot/off_loop.py``)."""
        ticket, serving = await to_the_end(
            self._take,
            conversation_id,
            lock_lifetime,
            undo=lambda taken: self.cleanup(conversation_id, taken[0]),
        )
        try:
            if ticket == serving:
                expires = time.time() + lock_lifetime
                yield TicketLock(conversation_id, deque([Ticket(ticket, expires)]))
            else:
                yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            await to_the_end(self.cleanup, conversation_id, ticket)

    async def _acquire_lock(
        self, conversation_id: str, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock:
        return await super()._acquire_lock(
            conversation_id, ticket, min(wait_time_in_seconds, POLL_SECONDS)
        )
