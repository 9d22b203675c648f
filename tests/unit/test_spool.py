"""Requests for a person kept on disk while the database is down, and their replay into tickets
(and into the agents' queue) once it is back: a torn line, a crash half way, a database that
fails again in the middle of a replay."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from devtools.servers import FROZEN_NOW, ROOT
from shop import assistant
from shop.clock import FixedClock
from shop.policy.profile import load_profile
from shop.store import conversation_repository as repo
from shop.store import spool
from shop.store.conversations import ConversationMode, Handoff, MessageAuthor
from shop.store.db import session_scope
from shop.store.demo import DEMO_ORDERS
from shop.store.models import Ticket
from tests.support.databases import seeded_sqlite, sessions_of


@pytest.fixture()
def spool_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "spool" / "tickets.jsonl"
    monkeypatch.setenv("SHOP_TICKET_SPOOL", str(path))
    return path


@pytest.fixture()
def database(tmp_path: Path) -> Iterator[Path]:
    """A seeded SQLite file alone in its folder (moving the folder takes the database away)."""
    yield seeded_sqlite(tmp_path / "db" / "shop.db")


@pytest.fixture()
def sessions(database: Path) -> Iterator[sessionmaker]:
    yield from sessions_of(database)


@pytest.fixture()
def ctx(sessions: sessionmaker) -> assistant.ShopContext:
    profile = load_profile(ROOT / "knowledge" / "shops" / "bijou_eclat.yml")
    return assistant.ShopContext(sessions=sessions, profile=profile, clock=FixedClock(FROZEN_NOW))


def keep(kind: str = "handoff", conversation: str | None = "conv-1", **facts: object) -> str:
    return spool.spool_ticket(kind, conversation, {"action": "action_x", **facts}, FROZEN_NOW)


def tickets(sessions: sessionmaker) -> list[Ticket]:
    with session_scope(sessions) as session:
        return list(
            session.execute(
                select(Ticket).where(Ticket.facts["spooled"].as_boolean()).order_by(Ticket.id)
            ).scalars()
        )


def test_finding_06_a_torn_line_is_set_aside_and_every_other_request_becomes_a_ticket(
    spool_file: Path, ctx: assistant.ShopContext
) -> None:
    keep(conversation="conv-before")
    with spool_file.open("a", encoding="utf-8") as torn:
        torn.write('{"kind": "handoff", "conversation_id": "conv-torn", "fac')  # a crash here
    keep(conversation="conv-after")

    replayed = assistant.replay_spooled_tickets(ctx)

    assert [r.request.conversation_id for r in replayed] == ["conv-before", "conv-after"]
    assert [t.conversation_id for t in tickets(ctx.sessions)] == ["conv-before", "conv-after"]
    rejected = spool.rejected_path(spool_file).read_text(encoding="utf-8")
    assert rejected == '{"kind": "handoff", "conversation_id": "conv-torn", "fac\n'
    assert not assistant.has_kept_requests()
    assert assistant.replay_spooled_tickets(ctx) == []  # nothing is stuck behind the torn line


def test_finding_06_a_replay_that_crashed_after_its_commit_makes_no_duplicate_ticket(
    spool_file: Path, ctx: assistant.ShopContext
) -> None:
    keep(conversation="conv-1")
    keep(conversation="conv-2")
    before_the_crash = spool_file.read_bytes()

    first = assistant.replay_spooled_tickets(ctx)
    # The process died after the commits, before the spool was emptied: the lines are back.
    spool_file.write_bytes(before_the_crash)
    again = assistant.replay_spooled_tickets(ctx)

    assert len(first) == 2 and again == []
    assert len(tickets(ctx.sessions)) == 2
    assert not assistant.has_kept_requests()


def test_finding_06_a_database_down_again_during_the_replay_keeps_what_is_not_ticketed(
    spool_file: Path, database: Path, ctx: assistant.ShopContext
) -> None:
    keep(conversation="conv-1")
    keep(conversation="conv-2")
    away = database.parent.with_name("db-away")

    def database_goes_away(session: object, request: spool.KeptRequest, ticket: Ticket) -> None:
        if not away.exists():  # after the first ticket, the database's folder disappears
            shutil.move(database.parent, away)

    with pytest.raises(OperationalError):
        spool.replay(ctx.sessions, ctx.profile.ticket_due_at, database_goes_away)
    shutil.move(away, database.parent)

    assert [t.conversation_id for t in tickets(ctx.sessions)] == ["conv-1"]
    [left] = [line for line in spool_file.read_text().splitlines() if line]
    assert spool.parse_line(left).conversation_id == "conv-2"  # type: ignore[union-attr]
    assert [r.request.conversation_id for r in assistant.replay_spooled_tickets(ctx)] == ["conv-2"]


def test_finding_06_a_kept_request_for_a_person_reaches_the_agents_queue_of_the_desk(
    spool_file: Path, ctx: assistant.ShopContext
) -> None:
    demo = DEMO_ORDERS["shipped_on_time"]
    with session_scope(ctx.sessions) as session:
        conversation = repo.create_conversation(session, FROZEN_NOW).id
    keep(conversation=conversation, order_number=demo.number, email=demo.email, verified=True)
    keep(conversation="not-a-desk-conversation")

    replayed = assistant.replay_spooled_tickets(ctx)

    with session_scope(ctx.sessions) as session:
        [handoff] = session.execute(select(Handoff)).scalars().all()
        mode = repo.get_conversation(session, conversation).mode  # type: ignore[union-attr]
        notices = [
            m.text
            for m in repo.messages_after(session, conversation)
            if m.author == MessageAuthor.SYSTEM
        ]
        queued = [h.conversation_id for h in repo.queue(session)]
    assert handoff.conversation_id == conversation and queued == [conversation]
    assert handoff.ticket_number == replayed[0].ticket_number
    assert handoff.reason == "kept_request"
    assert handoff.note["order"]["number"] == demo.number and handoff.note["verified"] is True
    assert mode == ConversationMode.WAITING_AGENT
    assert len(notices) == 1 and replayed[0].ticket_number in notices[0]
    assert "conseiller" in notices[0]


def test_each_kept_request_is_one_owner_only_line_with_its_own_id(
    spool_file: Path, ctx: assistant.ShopContext
) -> None:
    ids = {keep(conversation=f"conv-{n}") for n in range(20)}
    lines = spool_file.read_text(encoding="utf-8").splitlines()
    assert {spool.parse_line(line).id for line in lines} == ids  # type: ignore[union-attr]
    assert oct(spool_file.stat().st_mode & 0o777) == "0o600"
