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

Here each change of a queue is one Redis transaction: watch the key, read the queue, change it,
write it (or delete it once empty), and start again if another server wrote it meanwhile.
Tickets are then issued, served and removed one at a time, whatever the number of servers.
Waiting messages look again every 50 ms instead of every second.
"""

from __future__ import annotations

import json
from typing import Any, Callable, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")
POLL_SECONDS = 0.05


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        """Built by Rasa from the ``lock_store`` endpoint (scripts/write_endpoints.py)."""
        super().__init__(host=endpoint_config.url or "localhost", **endpoint_config.kwargs)

    def _atomically(self, conversation_id: str, change: Callable[[TicketLock], T]) -> T:
        """``change`` applied to the stored queue in one transaction; an empty queue is
        deleted. Retried from the read when another server wrote the queue meanwhile."""
        key = self.key_prefix + conversation_id
        results: list[T] = []

        def transaction(pipe: Any) -> None:
            results.clear()
            stored = pipe.get(key)
            lock = (
                TicketLock.from_dict(json.loads(stored)) if stored else TicketLock(conversation_id)
            )
            results.append(change(lock))
            pipe.multi()
            if lock.is_someone_waiting():
                pipe.set(key, lock.dumps())
            else:
                pipe.delete(key)

        self.red.transaction(transaction, key)
        return results[0]

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return self._atomically(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime))
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        self._atomically(conversation_id, lambda lock: lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._atomically(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Serving done: the ticket goes, and the queue with it when no one else waits (one
        transaction: a ticket issued meanwhile by another server is kept)."""
        self.finish_serving(conversation_id, ticket_number)

    async def _acquire_lock(
        self, conversation_id: str, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock:
        return await super()._acquire_lock(
            conversation_id, ticket, min(wait_time_in_seconds, POLL_SECONDS)
        )
