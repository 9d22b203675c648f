"""What the bot understood, what editors taught it, and what shoppers thought of the answers.

Three tables on the order store's ``Base`` (one database, one ``create_schema``):

- ``bot_turns``: one row per shopper message that reached the bot (widget or REST), written by
  the Rasa server in the same transaction as the tracker's events (``bot/turn_recorder.py``):
  the intent and its confidence, the FAQ entry and its score, the entities, the actions taken,
  why the bot may have been unsure (``doubt``) and what the shopper did next (``next_step``,
  set when the next message arrives; a turn with none after the session's expiry was left).
- ``review_labels``: an editor's verdict on a turn (an intent, a FAQ entry, out of scope, or a
  new FAQ entry needed); undoing sets ``undone_at``, so nothing an editor did is lost.
- ``desk_feedback``: a shopper's 👍/👎 on an answer, or 1–5 after an agent closed the
  conversation, with an optional comment.

``conversation_id`` is Rasa's sender id: for widget conversations it is the desk's
conversation id, so turns, transcripts and ratings meet.
"""

from __future__ import annotations

import enum
from datetime import timedelta

from sqlalchemy import JSON, Column, Float, ForeignKey, Integer, String, Text, bindparam, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from shop.store.models import Base, UTCDateTime
from shop.store.statements import run


class Doubt(str, enum.Enum):
    """Why the bot may have misunderstood a message (none: it was sure)."""

    FALLBACK = "fallback"  # « Je n'ai pas bien compris », or the menu of likely topics
    AMBIGUOUS = "ambiguous"  # « Vouliez-vous dire… » between close FAQ entries
    LOW_CONFIDENCE = "low_confidence"  # answered, but with a low confidence


class NextStep(str, enum.Enum):
    """What the shopper did after the bot's answer."""

    REPHRASED = "rephrased"
    HANDOFF = "handoff"  # asked for a person
    THANKED = "thanked"  # thanks or goodbye
    CONTINUED = "continued"
    LEFT = "left"  # read-time only: nothing after the answer for ``LEFT_AFTER``


# The shopper left when nothing followed the answer for as long as the bot keeps a session
# (domain.yml ``session_expiration_time``); before that, the turn's next step is not known yet.
LEFT_AFTER = timedelta(minutes=30)


class LabelKind(str, enum.Enum):
    INTENT = "intent"
    FAQ = "faq"
    OUT_OF_SCOPE = "out_of_scope"
    NEW_FAQ = "new_faq"  # a question the FAQ does not answer yet


class FeedbackKind(str, enum.Enum):
    ANSWER = "answer"  # 👍 (1) / 👎 (-1) on a bot answer
    AGENT = "agent"  # 1–5 after an agent closed the conversation


class BotTurn(Base):
    __tablename__ = "bot_turns"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    text = Column(Text, nullable=False)
    intent = Column(String(160), nullable=True, index=True)
    confidence = Column(Float, nullable=True)
    faq_entry = Column(String(120), nullable=True, index=True)
    faq_score = Column(Float, nullable=True)
    entities = Column(JSON, nullable=False, default=list)  # [{"entity": ..., "value": ...}]
    actions = Column(JSON, nullable=False, default=list)  # action names, in order
    doubt = Column(String(16), nullable=True, index=True)  # a Doubt value
    next_step = Column(String(16), nullable=True)  # a NextStep value
    created_at = Column(UTCDateTime, nullable=False, index=True)


# A turn's text is kept up to this many characters (the desk refuses longer messages).
TURN_TEXT_LIMIT = 2000


_TURNS = BotTurn.__table__
_LATEST_SAYING = (
    select(_TURNS.c.intent, _TURNS.c.confidence, _TURNS.c.doubt)
    .where(_TURNS.c.conversation_id == bindparam("conversation_id"))
    .where(_TURNS.c.text == bindparam("text"))
    .order_by(_TURNS.c.id.desc())
    .limit(1)
)


def latest_turn_saying(session: Session, conversation_id: str, text: str) -> Row | None:
    """The latest recorded turn of the conversation whose message was ``text``: its intent,
    confidence and doubt (None when Rasa recorded none, e.g. for a button's payload).

    The Rasa server records a turn in the transaction that saves the tracker, before its REST
    channel answers, so the desk finds the turn of the message it has just relayed here. Two
    turns with the same text have the same understanding (the NLU does not read the context).
    """
    said = text.strip()[:TURN_TEXT_LIMIT]
    found = run(session, _LATEST_SAYING, conversation_id=conversation_id, text=said)
    return found.one_or_none()


class ReviewLabel(Base):
    __tablename__ = "review_labels"

    id = Column(Integer, primary_key=True)
    turn_id = Column(Integer, ForeignKey("bot_turns.id"), nullable=False, index=True)
    kind = Column(String(16), nullable=False)  # a LabelKind value
    value = Column(String(160), nullable=True)  # the intent, or the FAQ entry id
    editor = Column(String(80), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    undone_at = Column(UTCDateTime, nullable=True, index=True)


class Feedback(Base):
    __tablename__ = "desk_feedback"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(
        String(64), ForeignKey("desk_conversations.id"), nullable=False, index=True
    )
    # One rating per message that asked, even with several desk processes racing.
    message_id = Column(
        Integer, ForeignKey("desk_messages.id"), nullable=True, index=True, unique=True
    )
    kind = Column(String(16), nullable=False)  # a FeedbackKind value
    score = Column(Integer, nullable=False)  # -1 / 1 for an answer, 1–5 for an agent
    topic = Column(String(160), nullable=True, index=True)  # intent or faq/<entry> answered
    comment = Column(Text, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, index=True)
