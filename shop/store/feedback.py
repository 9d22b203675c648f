"""Shoppers' ratings: which messages ask for one, and the ratings given (``desk_feedback``).

A bot answer asks when the bot offered it for rating and the desk agrees (``ask_if_due``):
never twice in a row (the bot's previous turn already asked) and never again for a topic
already rated in the conversation. The notice that closes a conversation an agent had
claimed asks for the agent's 1–5, under the handoff's reason. The message that asks keeps
the topic (``Message.feedback_topic``), so the widget's history says what is asked and what
was given, across reloads and devices.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop.clock import require_aware
from shop.store.conversations import Message, MessageAuthor
from shop.store.learning import Feedback, FeedbackKind
from shop.store.statements import run

TOPIC_LENGTH = 160


_MESSAGES = Message.__table__
_LATEST_SHOPPER_ID = (
    select(func.max(_MESSAGES.c.id))
    .where(_MESSAGES.c.conversation_id == bindparam("conversation_id"))
    .where(_MESSAGES.c.author == MessageAuthor.SHOPPER)
    .where(_MESSAGES.c.id < bindparam("before_id"))
)
_ASKED_SINCE = (
    select(_MESSAGES.c.id)
    .where(_MESSAGES.c.conversation_id == bindparam("conversation_id"))
    .where(_MESSAGES.c.author == MessageAuthor.BOT)
    .where(_MESSAGES.c.feedback_topic.is_not(None))
    .where(_MESSAGES.c.id > bindparam("after_id"))
    .where(_MESSAGES.c.id != bindparam("answer_id"))
    .limit(1)
)
_ASK = (
    update(_MESSAGES)
    .where(_MESSAGES.c.id == bindparam("message_id"))
    .values(feedback_topic=bindparam("topic"))
)
_FEEDBACK = Feedback.__table__
_TOPIC_RATED = (
    select(_FEEDBACK.c.id)
    .where(_FEEDBACK.c.conversation_id == bindparam("conversation_id"))
    .where(_FEEDBACK.c.kind == FeedbackKind.ANSWER.value)
    .where(_FEEDBACK.c.topic == bindparam("topic"))
    .limit(1)
)


def ask_if_due(session: Session, answer: Message, topic: str) -> bool:
    """Ask the shopper to rate the bot's ``answer`` unless the bot's previous turn (or this
    one) already asked or the topic was rated in the conversation; True when asked (statements
    built once: a turn of the bot's answers from the FAQ runs them)."""
    conversation_id = answer.conversation_id
    this_turn = _latest_shopper_id(session, conversation_id, int(answer.id))
    previous_turn = _latest_shopper_id(session, conversation_id, this_turn)
    recently_asked = run(
        session,
        _ASKED_SINCE,
        conversation_id=conversation_id,
        after_id=previous_turn,
        answer_id=answer.id,
    ).first()
    if recently_asked is not None or topic_rated(session, conversation_id, topic):
        return False
    mark_asking(session, answer, topic)
    return True


def _latest_shopper_id(session: Session, conversation_id: str, before_id: int) -> int:
    """The id of the shopper message the bot answers with message ``before_id`` (0: none)."""
    found = run(
        session, _LATEST_SHOPPER_ID, conversation_id=conversation_id, before_id=before_id
    ).scalar_one_or_none()
    return int(found or 0)


def mark_asking(session: Session, message: Message, topic: str) -> None:
    """The message asks the shopper to rate it under ``topic``."""
    message.feedback_topic = topic[:TOPIC_LENGTH]
    run(session, _ASK, message_id=message.id, topic=message.feedback_topic)


def topic_rated(session: Session, conversation_id: str, topic: str) -> bool:
    """Whether the shopper already rated an answer on ``topic`` in this conversation."""
    rated = run(session, _TOPIC_RATED, conversation_id=conversation_id, topic=topic)
    return rated.first() is not None


_RATINGS_OF_MESSAGES = (
    select(_FEEDBACK)
    .where(_FEEDBACK.c.conversation_id == bindparam("conversation_id"))
    .where(_FEEDBACK.c.message_id.is_not(None))
)


def ratings_by_message(session: Session, conversation_id: str) -> dict[int, Any]:
    """The conversation's ratings (rows, to read), by the id of the message they answer."""
    rows = run(session, _RATINGS_OF_MESSAGES, conversation_id=conversation_id)
    return {int(row.message_id): row for row in rows}


def rating_of_message(session: Session, message_id: int) -> Feedback | None:
    statement = select(Feedback).where(Feedback.message_id == message_id).limit(1)
    return session.execute(statement).scalar_one_or_none()


def agent_rating_request(session: Session, conversation_id: str) -> Message | None:
    """The closing notice that asks the shopper to rate the agent, if the conversation has one."""
    statement = (
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .where(Message.author == MessageAuthor.SYSTEM)
        .where(Message.feedback_topic.is_not(None))
        .order_by(Message.id.desc())
        .limit(1)
    )
    return session.execute(statement).scalar_one_or_none()


class RatingExists(Exception):
    """The message already has its rating (the unique key on ``message_id`` said so)."""


def add_rating(
    session: Session,
    message: Message,
    kind: FeedbackKind,
    score: int,
    comment: str | None,
    now: datetime,
) -> Feedback:
    """The shopper's rating of the message that asked for it, under that message's topic."""
    rating = Feedback(
        conversation_id=message.conversation_id,
        message_id=message.id,
        kind=kind.value,
        score=score,
        topic=message.feedback_topic,
        comment=comment,
        created_at=require_aware(now),
    )
    message_id = int(message.id)
    session.add(rating)
    try:
        session.flush()
    except IntegrityError as error:  # another desk process stored this message's rating first
        raise RatingExists(message_id) from error
    return rating


def add_comment(session: Session, rating: Feedback, comment: str) -> bool:
    """A comment after the rating, once: False when the rating already has one (the UPDATE
    is conditional, so two desks racing store only the first)."""
    result = session.execute(
        update(Feedback)
        .where(Feedback.id == rating.id)
        .where(Feedback.comment.is_(None))
        .values(comment=comment)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    session.refresh(rating)
    return True
