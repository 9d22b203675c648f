"""What the desk does after an outage, at start and then every few seconds in the background.

- Shopper messages stored while Rasa was down are relayed when it answers again, per
  conversation and oldest first (``DeskService.retry_relay``); a conversation whose bot stays
  away longer than ``bot_outage_handoff_s`` goes to the agents' queue.
- A message a desk claimed for the bot and never answered (the desk died, or lost the
  database, mid-turn) waits again once its claim is older than ``claim_lease_s``, longer than
  Rasa's time limit, and is relayed like one Rasa missed.
- Requests for a person that the action server kept on disk while the database was down become
  tickets, and their desk conversations join the agents' queue (``shop.assistant``).

A pass that finds Rasa or the database down waits longer before the next one (doubling up to
``MAX_BACKOFF_S``), so an outage is not hammered; one good pass brings the pace back. Several
desk processes may run this at once: each message is claimed by a conditional UPDATE and the
spool is replayed under a file lock, so nothing is relayed or ticketed twice.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from starlette.concurrency import run_in_threadpool

from desk.service import CONSOLE_KEY, DeskService, Unavailable
from shop import assistant
from shop.store import conversation_repository as repo

logger = logging.getLogger("desk.recovery")

MAX_BACKOFF_S = 30.0


@dataclass
class Recovery:
    service: DeskService
    every_s: float = 5.0
    claim_lease_s: float = 45.0

    async def run_once(self) -> bool:
        """One pass over the spool and the waiting messages; False when something is down."""
        healthy = await self._replay_spool()
        lease = timedelta(seconds=self.claim_lease_s)
        try:
            await self.service.db(lambda session: repo.release_stale_claims(session, lease))
            waiting = await self.service.db(repo.unrelayed_conversations)
        except Unavailable:
            return False
        bot_down = False
        for conversation_id, _ in waiting:
            try:
                relayed = await self.service.retry_relay(conversation_id, bot_down=bot_down)
            except Unavailable:
                return False
            except Exception:  # one broken conversation must not stop the others
                logger.exception("retrying a conversation's waiting messages failed")
                healthy = False
                continue
            bot_down = bot_down or not relayed
        return healthy and not bot_down

    async def _replay_spool(self) -> bool:
        if not assistant.has_kept_requests():
            return True
        context = assistant.ShopContext(
            sessions=self.service.sessions, profile=self.service.profile, clock=self.service.clock
        )
        try:
            replayed = await run_in_threadpool(assistant.replay_spooled_tickets, context)
        except Exception as error:  # they stay on disk for the next pass
            logger.error("replaying kept requests failed: %s", type(error).__name__)
            return False
        for item in replayed:
            if item.request.conversation_id:
                self.service.notifier.notify(item.request.conversation_id)
        if replayed:
            self.service.notifier.notify(CONSOLE_KEY)
        return True

    async def run_forever(self) -> None:
        """Pass after pass until cancelled (the desk's lifespan owns the task)."""
        delay = self.every_s
        while True:
            try:
                healthy = await self.run_once()
            except Exception:  # the loop must outlive any single failure
                logger.exception("recovery pass failed")
                healthy = False
            delay = self.every_s if healthy else min(delay * 2, max(MAX_BACKOFF_S, self.every_s))
            await asyncio.sleep(delay)
