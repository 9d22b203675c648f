"""The outbox sender: each request the store owes the shop's platform, sent until it is confirmed.

``python -m shop.sources outbox [--once | --every SECONDS]`` runs it (``shop.sources.loop``: a
pass every few seconds until SIGTERM). A due request is claimed for a lease (a conditional
UPDATE, so two senders never send the same one), then the platform's order is read first: a
request it already shows applied (a retry after a lost response) is confirmed without sending
it again. A platform that does not answer yes (network, 5xx, 429, 409) gets the request again
later, with exponential backoff and jitter (its ``Retry-After`` respected); one that refuses for
good (any other 4xx) keeps the request, refused with the platform's reason, and opens a ticket
so an agent takes it; so does a cancellation the store gave up before sending it (the
platform shipped the order first: ``shop.sources.ingest``). A sender that dies mid-request
leaves it due again once its lease ends; the read-first rule keeps that retry from doing it
twice.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable, Mapping

from sqlalchemy.orm import Session, sessionmaker

from shop.clock import Clock
from shop.kinds import TicketKind
from shop.policy.profile import ShopProfile
from shop.sources import platforms
from shop.store import platform_requests, repository
from shop.store.db import session_scope
from shop.store.platform_requests import PlatformRequest, RequestState

LOG = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: the n-th failure waits between half and all of
    ``base × 2^(n-1)``, never more than ``cap``."""

    base_seconds: float = 30.0
    cap_seconds: float = 3600.0

    def delay(self, attempts: int, rng: random.Random) -> float:
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        return rng.uniform(ceiling / 2, ceiling)


@dataclass
class SendReport:
    confirmed: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            *(f"confirmed {line}" for line in self.confirmed),
            *(f"retrying  {line}" for line in self.retrying),
            *(f"refused   {line}" for line in self.refused),
        ]


@dataclass
class Sender:
    """Sends the due requests of one store to the platforms it has connections for."""

    sessions: sessionmaker
    connections: Mapping[str, platforms.Connection]  # by platform name
    clock: Clock
    profile: ShopProfile | None = None  # given: a refusal opens a ticket for an agent
    backoff: Backoff = field(default_factory=Backoff)
    rng: random.Random = field(default_factory=random.Random)

    def send_due(self, limit: int = 50, stopping: Callable[[], bool] | None = None) -> SendReport:
        """One pass: the due requests, one after the other, until ``stopping`` says the
        process is asked to stop (the rest stays due for the next sender)."""
        report = SendReport()
        self._ticket_refusals(report, limit)
        with session_scope(self.sessions) as session:
            due = platform_requests.due_request_ids(session, self.clock.now(), limit)
        for request_id in due:
            if stopping is not None and stopping():
                break
            self._send_one(request_id, report)
        return report

    def _ticket_refusals(self, report: SendReport, limit: int) -> None:
        """A ticket for each request the store refused itself, unsent (``shop.sources.ingest``:
        the platform shipped the order before its cancellation reached it); the outbox has the
        shop's profile the ticket's due time needs. Claimed by a conditional UPDATE, so two
        senders never open two tickets for one request."""
        if self.profile is None:
            return
        with session_scope(self.sessions) as session:
            for request_id in platform_requests.refused_without_ticket_ids(session, limit):
                if not platform_requests.claim_refusal(session, request_id):
                    continue
                stored = session.get(PlatformRequest, request_id)
                assert stored is not None
                reason = str(stored.last_error or "")
                stored.note = f"ticket {self._ticket(session, stored, reason)}"
                name = f"{stored.kind} of {stored.platform} order {stored.platform_order_id}"
                report.refused.append(f"{name}: {reason}")

    # ---- one request

    def _send_one(self, request_id: int, report: SendReport) -> None:
        now = self.clock.now()
        with session_scope(self.sessions) as session:
            if not platform_requests.claim(session, request_id, now, now + LEASE):
                return  # another sender holds it, or it is done
            stored = session.get(PlatformRequest, request_id)
            assert stored is not None
            request = platforms.Request(
                kind=stored.kind,
                platform_order_id=stored.platform_order_id,
                key=stored.idempotency_key,
                details=dict(stored.details or {}),
            )
            name = f"{stored.kind} of {stored.platform} order {stored.platform_order_id}"
            connection = self.connections.get(stored.platform)
            attempts = int(stored.attempts)
            platform = str(stored.platform)
        if connection is None:
            reason = f"no connection to {platform} in the shop's settings"
            self._later(request_id, attempts, reason, None)
            report.retrying.append(f"{name}: {reason}")
            return
        writer = platforms.writer_for(connection)
        try:
            with connection.client() as client:
                note = writer.already_done(client, request)
                if note is None:
                    writer.send(client, request)
                    note = "confirmed by the platform"
        except platforms.Unavailable as error:
            self._later(request_id, attempts, str(error), error.retry_after)
            report.retrying.append(f"{name} (attempt {attempts}): {error}")
            LOG.warning("platform request %s: %s", name, error)
        except platforms.Refused as error:
            self._refused(request_id, str(error))
            report.refused.append(f"{name}: {error}")
            LOG.warning("platform request %s refused: %s", name, error)
        else:
            self._confirmed(request_id, note)
            report.confirmed.append(f"{name}: {note}")

    def _later(
        self, request_id: int, attempts: int, reason: str, retry_after: float | None
    ) -> None:
        wait = self.backoff.delay(attempts, self.rng)
        if retry_after is not None:
            wait = max(wait, retry_after)
        with session_scope(self.sessions) as session:
            stored = session.get(PlatformRequest, request_id)
            assert stored is not None
            stored.next_attempt_at = self.clock.now() + timedelta(seconds=wait)
            stored.last_error = reason

    def _confirmed(self, request_id: int, note: str) -> None:
        with session_scope(self.sessions) as session:
            stored = session.get(PlatformRequest, request_id)
            assert stored is not None
            stored.state = RequestState.CONFIRMED.value
            stored.finished_at = self.clock.now()
            stored.note = note

    def _refused(self, request_id: int, reason: str) -> None:
        with session_scope(self.sessions) as session:
            stored = session.get(PlatformRequest, request_id)
            assert stored is not None
            stored.state = RequestState.REFUSED.value
            stored.finished_at = self.clock.now()
            stored.last_error = reason
            if self.profile is not None:
                stored.note = f"ticket {self._ticket(session, stored, reason)}"

    def _ticket(self, session: Session, stored: PlatformRequest, reason: str) -> str:
        now = self.clock.now()
        assert self.profile is not None
        ticket = repository.open_ticket(
            session,
            kind=TicketKind.PLATFORM_REFUSED,
            now=now,
            due_at=self.profile.ticket_due_at(now, 1),
            facts={
                "request": stored.kind,
                "platform": stored.platform,
                "platform_order_id": stored.platform_order_id,
                "platform_reason": reason,
                "requested_at": stored.created_at,
            },
            order=stored.order,
            priority=1,
        )
        return str(ticket.number)
