"""Tickets that could not be written because the database was down, kept on disk until it is back.

"Nothing is lost": when an action fails where a person must act, the request is appended to a
JSON-lines file (owner-only permissions) and turned into a real ticket by the next successful
``replay`` (the action server calls it at start and after each ticket it opens).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from sqlalchemy.orm import sessionmaker

from shop.private_files import close_to_others, private_dir
from shop.store import repository
from shop.store.db import session_scope

logger = logging.getLogger(__name__)
_lock = threading.Lock()


def spool_path() -> Path:
    default = Path(__file__).resolve().parents[2] / ".var" / "spool" / "tickets.jsonl"
    return Path(os.environ.get("SHOP_TICKET_SPOOL", str(default)))


def spool_ticket(
    kind: str, conversation_id: str | None, facts: dict[str, Any], now: datetime
) -> None:
    """Keep a ticket request on disk; raises only if the disk itself fails."""
    path = spool_path()
    record = {
        "kind": kind,
        "conversation_id": conversation_id,
        "facts": facts,
        "at": now.isoformat(),
    }
    with _lock:
        private_dir(path.parent)  # requests hold e-mails and order numbers: owner-only
        close_to_others(path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as spool:
            spool.write(json.dumps(record, ensure_ascii=False) + "\n")


def pending() -> bool:
    path = spool_path()
    return path.exists() and path.stat().st_size > 0


def replay(sessions: sessionmaker, due_at_for: Callable[[datetime, int], datetime]) -> list[str]:
    """Turn every spooled request into a ticket; returns the new ticket numbers.

    ``due_at_for(created_at, priority)`` is the shop's service level. The file is emptied only
    after the tickets are committed, so a failure here loses nothing (at worst a retry).
    """
    path = spool_path()
    with _lock:
        if not pending():
            return []
        records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        numbers = []
        with session_scope(sessions) as session:
            for record in records:
                created = datetime.fromisoformat(record["at"])
                ticket = repository.open_ticket(
                    session,
                    kind=record["kind"],
                    now=created,
                    due_at=due_at_for(created, 1),
                    facts={**record["facts"], "spooled": True},
                    conversation_id=record["conversation_id"],
                    priority=1,
                )
                numbers.append(str(ticket.number))
        path.write_text("")
    logger.info("replayed %d spooled ticket(s)", len(numbers))
    return numbers
