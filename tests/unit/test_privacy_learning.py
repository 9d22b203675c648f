"""What the bot understood and what shoppers rated follow the privacy rules of the transcripts:
found and exported by e-mail, erased on request, kept no longer than the retention period (an
editor's labelled messages excepted, kept with their personal data replaced)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from devtools.servers import FROZEN_NOW
from shop.privacy.retention import RetentionSettings, retain
from shop.privacy.subject import ERASED, erase_subject, export_subject
from shop.store import conversation_repository as repo
from shop.store.conversations import MessageAuthor
from shop.store.db import session_scope
from shop.store.learning import BotTurn, Feedback, ReviewLabel
from tests.support.conversations import desk_conversation
from tests.support.databases import seeded_sqlite, sessions_of

CLAIRE = "claire.martin@gmail.com"


@pytest.fixture()
def sessions(tmp_path: Path) -> Iterator[sessionmaker]:
    yield from sessions_of(seeded_sqlite(tmp_path / "shop.db"))


def add_turn(session: Session, conversation_id: str, text: str, at: datetime) -> int:
    turn = BotTurn(
        conversation_id=conversation_id,
        text=text,
        intent="track_order",
        confidence=0.9,
        entities=[{"entity": "email", "value": CLAIRE}] if CLAIRE in text else [],
        actions=["track_form"],
        created_at=at,
    )
    session.add(turn)
    session.flush()
    return int(turn.id)


def rate(session: Session, conversation_id: str, comment: str, at: datetime) -> None:
    answer = [
        m for m in repo.messages_after(session, conversation_id) if m.author == MessageAuthor.BOT
    ][-1]
    session.add(
        Feedback(
            conversation_id=conversation_id,
            message_id=answer.id,
            kind="answer",
            score=-1,
            topic="track_order",
            comment=comment,
            created_at=at,
        )
    )


def test_turns_and_ratings_are_exported_then_erased_with_the_shopper(
    sessions: sessionmaker,
) -> None:
    widget = desk_conversation(sessions, "où est mon colis")
    with session_scope(sessions) as session:
        add_turn(session, "rest-shopper", f"mon mail est {CLAIRE}", FROZEN_NOW)
        add_turn(session, widget, f"c'est {CLAIRE}", FROZEN_NOW)
        rate(session, widget, "Claire, pas contente", FROZEN_NOW)
        add_turn(session, "someone-else", "ines@example.fr", FROZEN_NOW)

    with session_scope(sessions) as session:
        data = export_subject(session, CLAIRE, FROZEN_NOW)
    found = {c["id"]: c for c in data["conversations"]}
    assert found["rest-shopper"]["bot_turns"][0]["text"] == f"mon mail est {CLAIRE}"
    assert found[widget]["feedback"][0]["comment"] == "Claire, pas contente"

    with session_scope(sessions) as session:
        counts = erase_subject(session, CLAIRE, FROZEN_NOW).as_dict()
    assert counts["bot_turns"] == 2 and counts["desk_feedback"] == 1
    with session_scope(sessions) as session:
        turns = {t.conversation_id: t for t in session.execute(select(BotTurn)).scalars()}
        assert (turns["rest-shopper"].text, turns["rest-shopper"].entities) == (ERASED, [])
        assert (turns["rest-shopper"].intent, turns["someone-else"].text) == (
            "track_order",
            "ines@example.fr",
        )
        feedback = session.execute(select(Feedback)).scalar_one()
        assert (feedback.comment, feedback.score) == (ERASED, -1)
    with session_scope(sessions) as session:
        assert erase_subject(session, CLAIRE, FROZEN_NOW).total == 0


def test_retention_deletes_old_turns_and_ratings_but_keeps_labelled_messages_redacted(
    sessions: sessionmaker,
) -> None:
    long_ago = FROZEN_NOW - timedelta(days=400)
    old = desk_conversation(sessions, "vieille question", at=long_ago)
    with session_scope(sessions) as session:
        rate(session, old, "bof", long_ago)
        add_turn(session, old, "vieille question", long_ago)
        labelled = add_turn(session, "rest", f"je suis Claire Martin, {CLAIRE}", long_ago)
        session.add(
            ReviewLabel(
                turn_id=labelled,
                kind="intent",
                value="track_order",
                editor="eve",
                created_at=long_ago,
            )
        )
        recent = add_turn(session, "rest", "question récente", FROZEN_NOW - timedelta(days=10))

    with session_scope(sessions) as session:
        report = retain(session, RetentionSettings(), FROZEN_NOW).as_dict()
    assert report["desk_feedback"] == 1 and report["desk_conversations"] == 1
    assert report["bot_turns"] == 2  # one deleted, one redacted
    with session_scope(sessions) as session:
        kept = {t.id: t for t in session.execute(select(BotTurn)).scalars()}
        assert set(kept) == {labelled, recent}
        assert kept[labelled].text == "je suis [nom], [e-mail]"
        assert kept[labelled].entities == []
        assert session.execute(select(Feedback)).first() is None
    with session_scope(sessions) as session:
        assert retain(session, RetentionSettings(), FROZEN_NOW).total == 0
