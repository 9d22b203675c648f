"""One rating per message that asked, even when two desk processes store it at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from devtools.servers import FROZEN_NOW
from shop.store import conversation_repository as repo
from shop.store import feedback
from shop.store.conversations import MessageAuthor
from shop.store.db import session_scope
from shop.store.learning import Feedback, FeedbackKind
from tests.support.conversations import desk_conversation
from tests.support.databases import seeded_sqlite, sessions_of


@pytest.fixture()
def sessions(tmp_path: Path) -> Iterator[sessionmaker]:
    yield from sessions_of(seeded_sqlite(tmp_path / "shop.db"))


def test_a_second_rating_of_the_same_message_is_refused_by_the_database(
    sessions: sessionmaker,
) -> None:
    conversation = desk_conversation(sessions, "vous livrez en Belgique ?")
    with session_scope(sessions) as session:
        answer = [
            m for m in repo.messages_after(session, conversation) if m.author == MessageAuthor.BOT
        ][-1]
        feedback.mark_asking(session, answer, "faq/livraison_international")
        answer_id = answer.id
    first, second = sessions(), sessions()  # two desk processes, neither sees the other's row
    try:
        for session in (first, second):
            message = session.get(type(answer), answer_id)
            assert feedback.rating_of_message(session, answer_id) is None
        feedback.add_rating(first, message, FeedbackKind.ANSWER, -1, None, FROZEN_NOW)
        first.commit()
        message = second.get(type(answer), answer_id)
        with pytest.raises(feedback.RatingExists):
            feedback.add_rating(second, message, FeedbackKind.ANSWER, 1, None, FROZEN_NOW)
        second.rollback()
    finally:
        first.close()
        second.close()
    with session_scope(sessions) as session:
        assert session.execute(select(func.count(Feedback.id))).scalar_one() == 1
