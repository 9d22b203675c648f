"""What a load or fault run must leave in the database, read after the run (project venv).

Locust's shoppers write a journal (``LOAD_JOURNAL``: each message sent, whether the desk
confirmed it was stored, whether the bot's answer reached the shopper); these checks hold it
against the desk's tables, the one source of truth:

- every message the desk confirmed is stored exactly once, in order (none lost, none doubled);
- every stored shopper message the bot holds was relayed and answered (a bot or system message
  follows it) — or is still waiting (``relayed`` false: the recovery pass owes it);
- no conversation has more than one ticket or more than one open handoff (none duplicated);
- the bot read each message once: every user event in Rasa's tracker (``events``) carries the
  desk's id of one of the conversation's shopper messages, and none is read again after the bot
  answered it (a copy sent again after a timeout or a crash and read a second time shows here).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from shop.store.conversations import Handoff, Message, MessageAuthor
from shop.store.db import make_engine, make_session_factory
from shop.store.models import Ticket

ANSWERS = (MessageAuthor.BOT, MessageAuthor.SYSTEM)


@dataclass
class RunCheck:
    """Counts over the conversations of one run; ``problems`` says what is wrong, if anything."""

    conversations: int = 0
    sent: int = 0
    stored: int = 0
    answered: int = 0
    waiting: int = 0  # stored, not yet relayed to the bot
    with_agent: int = 0  # stored after a handoff: for a person, not the bot
    tickets: int = 0
    handoffs: int = 0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "problems": list(self.problems)}


def read_journal(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Each message sent, by conversation, in order: its text, ``stored`` (True, False, or
    None when the shopper never learnt: stopped at the end of the run), ``answer_ms``."""
    by_conversation: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if not path.exists():
        return {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        line = json.loads(raw)
        entries = by_conversation[line["conversation"]]
        if line["phase"] == "send":
            entries.append({**line, "stored": None, "answer_ms": None, "at": None})
        elif entries and entries[-1]["text"] == line["text"]:
            entries[-1].update(stored=line["stored"], answer_ms=line["answer_ms"], at=line["at"])
    return dict(by_conversation)


def check_run(database_url: str, journal_path: Path) -> RunCheck:
    journal = read_journal(journal_path)
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return _check(session, journal)
    finally:
        engine.dispose()


def _check(session: Session, journal: dict[str, list[dict[str, Any]]]) -> RunCheck:
    result = RunCheck(conversations=len(journal))
    ids = list(journal)
    messages: dict[str, list[Message]] = defaultdict(list)
    for chunk in range(0, len(ids), 500):
        statement = (
            select(Message)
            .where(Message.conversation_id.in_(ids[chunk : chunk + 500]))
            .order_by(Message.id)
        )
        for message in session.execute(statement).scalars():
            messages[str(message.conversation_id)].append(message)
    for conversation, entries in journal.items():
        _check_conversation(result, conversation, entries, messages.get(conversation, []))
    _check_tickets(session, result, ids)
    _check_bot_reads(session, result, messages)
    return result


def _check_conversation(
    result: RunCheck, conversation: str, entries: list[dict[str, Any]], messages: list[Message]
) -> None:
    short = conversation[:8]
    result.sent += len(entries)
    shopper = [m for m in messages if m.author == MessageAuthor.SHOPPER]
    result.stored += len(shopper)
    # Journal against the table: each confirmed message once and in order; a message whose
    # fate the shopper never learnt (the desk died mid-request) may be there once, or not.
    position = 0
    for entry in entries:
        if position < len(shopper) and shopper[position].text == entry["text"]:
            position += 1
        elif entry["stored"]:
            result.problems.append(f"{short}: confirmed message not stored: {entry['text']!r}")
    for extra in shopper[position:]:
        result.problems.append(f"{short}: stored more than once or unsent: {extra.text!r}")
    # Each message the bot holds is answered before the shopper's next one, or still waits.
    for index, message in enumerate(messages):
        if message.author != MessageAuthor.SHOPPER:
            continue
        if message.relayed is None:
            result.with_agent += 1
            continue
        if message.relayed is False:
            result.waiting += 1
            continue
        following = messages[index + 1 :]
        reply = next((m for m in following if m.author != MessageAuthor.AGENT), None)
        if reply is not None and reply.author in ANSWERS:
            result.answered += 1
        else:
            result.problems.append(f"{short}: relayed but never answered: {message.text!r}")


def _check_tickets(session: Session, result: RunCheck, ids: list[str]) -> None:
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        tickets = session.execute(
            select(Ticket.conversation_id, func.count())
            .where(Ticket.conversation_id.in_(part))
            .group_by(Ticket.conversation_id)
        ).all()
        handoffs = session.execute(
            select(Handoff.conversation_id, func.count())
            .where(Handoff.conversation_id.in_(part))
            .where(Handoff.closed_at.is_(None))
            .group_by(Handoff.conversation_id)
        ).all()
        for conversation, count in tickets:
            result.tickets += int(count)
            if count > 1:
                result.problems.append(f"{str(conversation)[:8]}: {count} tickets")
        for conversation, count in handoffs:
            result.handoffs += int(count)
            if count > 1:
                result.problems.append(f"{str(conversation)[:8]}: {count} open handoffs")


def _check_bot_reads(
    session: Session, result: RunCheck, messages: dict[str, list[Message]]
) -> None:
    """Rasa's tracker (``events``) against the desk's messages: each message the bot read
    carries the desk's id (``metadata.message_id``) of one of the conversation's shopper
    messages, and none is read again once the bot answered it. A message read without an
    answer (its action server was down) is read again on purpose; a copy of an answered one
    never is (``bot/repeated_messages.py``)."""
    ids = list(messages)
    for chunk in range(0, len(ids), 500):
        rows = session.execute(
            text(
                "SELECT sender_id, type_name, data FROM events "
                "WHERE type_name IN ('user', 'bot') AND sender_id IN :ids ORDER BY id"
            ).bindparams(bindparam("ids", expanding=True)),
            {"ids": ids[chunk : chunk + 500]},
        ).all()
        by_conversation: dict[str, list[tuple[str, Any]]] = defaultdict(list)
        for conversation, kind, data in rows:
            metadata = (json.loads(data).get("metadata") or {}) if data else {}
            by_conversation[str(conversation)].append((kind, metadata.get("message_id")))
        for conversation, events in by_conversation.items():
            sent = {m.id for m in messages[conversation] if m.author == MessageAuthor.SHOPPER}
            for problem in reads_problems(events, sent):
                result.problems.append(f"{conversation[:8]}: {problem}")


def reads_problems(events: list[tuple[str, Any]], sent: set[int]) -> list[str]:
    """What is wrong in one conversation's ``(kind, message_id)`` user and bot events."""
    problems: list[str] = []
    answered: set[Any] = set()
    current: Any = None
    for kind, key in events:
        if kind == "bot":
            if current is not None:
                answered.add(current)
            continue
        if key not in sent:
            problems.append(f"the bot read a message the desk did not send: {key!r}")
        elif key in answered:
            problems.append(f"the bot read message {key} again after answering it")
        current = key
    return problems
