"""Tickets that could not be written because the database was down, kept on disk until it is back.

"Nothing is lost": when an action fails where a person must act, the request is appended to a
JSON-lines file (owner-only permissions) and turned into a real ticket by a later ``replay``
(the action server and the desk replay at start, the action server after each action that
reached the store, the desk every few seconds).

Replay is crash-safe. Each line is read alone: a torn or invalid line (a crash in the middle of
a write, a full disk) is moved to ``<spool>.rejected`` and logged, and never blocks the others.
Each record carries an id that its ticket keeps in its facts (``spool_id``): a record whose
ticket already exists is not ticketed again, so a replay that stops half way (a crash after a
commit, the database failing again) makes no duplicate on the next one. A record leaves the
spool only after its ticket is committed. An inter-process file lock (``<spool>.lock``) keeps
writers and replays of several processes (action server, desk) from interleaving.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from filelock import FileLock
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shop.private_files import close_to_others, private_dir
from shop.settings import current_settings
from shop.store import repository
from shop.store.db import session_scope
from shop.store.models import Ticket

logger = logging.getLogger(__name__)

RECORD_ID = "spool_id"
LOCK_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class KeptRequest:
    """One request read back from the spool."""

    id: str
    kind: str
    conversation_id: str | None
    facts: dict[str, Any]
    at: datetime


@dataclass(frozen=True)
class Replayed:
    """A kept request that is now a committed ticket."""

    request: KeptRequest
    ticket_number: str


# Runs inside the ticket's transaction: what else the new ticket brings (a desk handoff).
AfterTicket = Callable[[Session, KeptRequest, Ticket], None]


def spool_path() -> Path:
    """``SHOP_TICKET_SPOOL``, else ``.var/spool/tickets.jsonl``."""
    return current_settings().ticket_spool


def rejected_path(path: Path) -> Path:
    return path.with_name(path.name + ".rejected")


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    private_dir(path.parent)  # requests hold e-mails and order numbers: owner-only
    close_to_others(path)
    with FileLock(str(path.with_name(path.name + ".lock")), timeout=LOCK_TIMEOUT_S):
        yield


def spool_ticket(
    kind: str, conversation_id: str | None, facts: dict[str, Any], now: datetime
) -> str:
    """Keep a ticket request on disk (flushed to the device); returns its record id.

    Raises ``OSError`` only if the disk itself fails.
    """
    path = spool_path()
    record_id = uuid.uuid4().hex
    record = {
        "id": record_id,
        "kind": kind,
        "conversation_id": conversation_id,
        "facts": facts,
        "at": now.isoformat(),
    }
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    with _locked(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            if os.fstat(fd).st_size and not _ends_with_newline(path):
                line = b"\n" + line  # never glue a record to a torn one
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
    return record_id


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as spool:
        spool.seek(-1, os.SEEK_END)
        return spool.read(1) == b"\n"


def pending() -> bool:
    path = spool_path()
    return path.exists() and path.stat().st_size > 0


def parse_line(line: str) -> KeptRequest | None:
    """The request on one line, or None when the line is torn or not a request."""
    try:
        raw = json.loads(line)
        at = datetime.fromisoformat(raw["at"])
        kind, facts, conversation = raw["kind"], raw["facts"], raw["conversation_id"]
    except (ValueError, TypeError, KeyError):
        return None
    if (
        not isinstance(kind, str)
        or not kind
        or not isinstance(facts, dict)
        or not (conversation is None or isinstance(conversation, str))
        or at.tzinfo is None
    ):
        return None
    # Lines written before records had ids get one from their content (stable across replays).
    record_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    return KeptRequest(
        id=record_id or uuid.uuid5(uuid.NAMESPACE_OID, line.strip()).hex,
        kind=kind,
        conversation_id=conversation,
        facts=facts,
        at=at,
    )


def replay(
    sessions: sessionmaker,
    due_at_for: Callable[[datetime, int], datetime],
    after_ticket: AfterTicket | None = None,
) -> list[Replayed]:
    """Turn every spooled request into a ticket, one transaction each; returns the new ones.

    ``due_at_for(created_at, priority)`` is the shop's service level. A database failure stops
    the replay and leaves the requests not yet committed in the spool for the next one.
    """
    path = spool_path()
    replayed: list[Replayed] = []
    with _locked(path):
        if not pending():
            return []
        lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
        requests: list[tuple[str, KeptRequest]] = []
        torn: list[str] = []
        for line in lines:
            if not line.strip():
                continue
            request = parse_line(line)
            if request is None:
                torn.append(line)
            else:
                requests.append((line, request))
        if torn:
            _append(rejected_path(path), torn)
            logger.error(
                "ticket spool: %d unreadable line(s) moved to %s",
                len(torn),
                rejected_path(path).name,
            )
            _rewrite(path, [line for line, _ in requests])
        for index, (_, request) in enumerate(requests):
            # A database failure raises here: this request and the next stay in the spool.
            number = _ticket_for(sessions, request, due_at_for, after_ticket)
            if number is not None:
                replayed.append(Replayed(request, number))
            _rewrite(path, [line for line, _ in requests[index + 1 :]])
    if replayed:
        logger.info("ticket spool: replayed %d kept request(s)", len(replayed))
    return replayed


def _ticket_for(
    sessions: sessionmaker,
    request: KeptRequest,
    due_at_for: Callable[[datetime, int], datetime],
    after_ticket: AfterTicket | None,
) -> str | None:
    """The request's ticket, committed; None when an earlier replay already committed it."""
    with session_scope(sessions) as session:
        if _already_ticketed(session, request):
            return None
        ticket = repository.open_ticket(
            session,
            kind=request.kind,
            now=request.at,
            due_at=due_at_for(request.at, 1),
            facts={**request.facts, "spooled": True, RECORD_ID: request.id},
            conversation_id=request.conversation_id,
            priority=1,
        )
        if after_ticket is not None:
            after_ticket(session, request, ticket)
        return str(ticket.number)


def _already_ticketed(session: Session, request: KeptRequest) -> bool:
    conversation = (
        Ticket.conversation_id.is_(None)
        if request.conversation_id is None
        else Ticket.conversation_id == request.conversation_id
    )
    statement = (
        select(Ticket.id)
        .where(Ticket.kind == request.kind)
        .where(conversation)
        .where(Ticket.facts[RECORD_ID].as_string() == request.id)
        .limit(1)
    )
    return session.execute(statement).first() is not None


def _rewrite(path: Path, lines: list[str]) -> None:
    """Replace the spool by ``lines`` atomically (a crash leaves the old or the new file)."""
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as spool:
        spool.write("".join(line + "\n" for line in lines).encode("utf-8"))
        spool.flush()
        os.fsync(spool.fileno())
    os.replace(temporary, path)


def _append(path: Path, lines: list[str]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "ab") as rejected:
        rejected.write("".join(line + "\n" for line in lines).encode("utf-8"))
        rejected.flush()
        os.fsync(rejected.fileno())
