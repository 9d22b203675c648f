"""The review inbox: the messages the bot was unsure about, grouped, for an editor to label.

A turn waits for review when the bot doubted (fallback, « Vouliez-vous dire… », a low
confidence), when the shopper rephrased or asked for a person right after, or when the
shopper rated the answer 👎. Once labelled it leaves the inbox; undoing the label brings it
back. Texts leave this module redacted (``pii.redact``): an editor never sees an e-mail or an
order number. A session comes in, plain frozen values go out (the console renders them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.expression import Exists

from shop.learning.choices import LabelChoices
from shop.learning.grouping import group_texts
from shop.learning.pii import redact
from shop.privacy.subject import ERASED
from shop.store.conversations import Message
from shop.store.learning import (
    BotTurn,
    Doubt,
    Feedback,
    FeedbackKind,
    LabelKind,
    NextStep,
    ReviewLabel,
)

EXAMPLES_SHOWN = 5
SUGGESTIONS_SHOWN = 3
THUMBS_DOWN = "thumbs_down"
# The order reasons are listed in when their counts are equal.
REASON_ORDER = (
    Doubt.FALLBACK.value,
    Doubt.AMBIGUOUS.value,
    Doubt.LOW_CONFIDENCE.value,
    NextStep.REPHRASED.value,
    NextStep.HANDOFF.value,
    THUMBS_DOWN,
)
_REVIEWED_NEXT_STEPS = (NextStep.REPHRASED.value, NextStep.HANDOFF.value)
# What the bot may have thought that is no suggestion: it did not understand.
_NOT_SUGGESTIONS = frozenset({"nlu_fallback", "faq", ""})


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "intent" | "faq"
    value: str  # intent name or FAQ entry id
    confidence: float | None


@dataclass(frozen=True)
class InboxGroup:
    key: str  # stable id of the group: str(first turn id)
    text: str  # representative message, redacted
    count: int
    turn_ids: tuple[int, ...]
    examples: tuple[str, ...]  # up to 5 redacted texts
    reasons: tuple[tuple[str, int], ...]  # ("fallback", 3), ("rephrased", 1), ("thumbs_down", 1)
    suggestions: tuple[Suggestion, ...]  # what the bot thought (intent/faq), best first, ≤ 3
    last_seen: datetime


@dataclass(frozen=True)
class LabelledGroup:
    """Turns an editor labelled in one go, for the « Déjà revus » list."""

    text: str  # representative message, redacted
    count: int
    turn_ids: tuple[int, ...]
    kind: str  # a LabelKind value
    value: str | None
    editor: str
    labelled_at: datetime


# --------------------------------------------------------------------------- the inbox


def _live_label() -> Exists:
    return exists().where(ReviewLabel.turn_id == BotTurn.id, ReviewLabel.undone_at.is_(None))


def _disliked_turns(since: datetime, until: datetime) -> Select:
    """The turns shoppers rated 👎, in one statement: for each rating, the conversation's
    latest turn at or before the rated message (the rating's own time when it names no
    message)."""
    rated_at = func.coalesce(Message.created_at, Feedback.created_at)
    latest_turn = (
        select(BotTurn.id)
        .where(
            BotTurn.conversation_id == Feedback.conversation_id,
            BotTurn.created_at <= rated_at,
            BotTurn.created_at >= since,
            BotTurn.created_at <= until,
        )
        .order_by(BotTurn.created_at.desc(), BotTurn.id.desc())
        .limit(1)
        .correlate(Feedback, Message)
        .scalar_subquery()
    )
    return (
        select(latest_turn)
        .select_from(Feedback)
        .outerjoin(Message, Message.id == Feedback.message_id)
        .where(
            Feedback.kind == FeedbackKind.ANSWER.value,
            Feedback.score < 0,
            Feedback.created_at >= since,
        )
    )


def thumbs_down_turns(session: Session, since: datetime, until: datetime) -> set[int]:
    """The ids of the turns shoppers rated 👎 (see ``_disliked_turns``)."""
    return {turn_id for turn_id in session.scalars(_disliked_turns(since, until)) if turn_id}


def pending_turns(
    session: Session, now: datetime, days: int = 30
) -> tuple[list[BotTurn], set[int]]:
    """Unlabelled turns of the last ``days`` that need an editor, oldest first, and the ids of
    those rated 👎."""
    since = now - timedelta(days=days)
    unsure = or_(
        BotTurn.doubt.is_not(None),
        BotTurn.next_step.in_(_REVIEWED_NEXT_STEPS),
        BotTurn.id.in_(_disliked_turns(since, now)),
    )
    query = (
        select(BotTurn)
        .where(BotTurn.created_at >= since, BotTurn.created_at <= now, unsure)
        .where(BotTurn.text != ERASED)  # erased at the shopper's request: nothing to learn
        .where(~_live_label())
        .order_by(BotTurn.created_at, BotTurn.id)
    )
    turns = list(session.scalars(query))
    disliked = thumbs_down_turns(session, since, now) if turns else set()
    return turns, disliked & {turn.id for turn in turns}


def pending_groups(
    session: Session, now: datetime, *, days: int = 30, limit: int = 50
) -> list[InboxGroup]:
    """The inbox: unlabelled turns the bot was unsure about, grouped by similar text, biggest
    group first (then the most recently seen)."""
    turns, disliked = pending_turns(session, now, days)
    redacted = [redact(turn.text) for turn in turns]
    groups = [
        _group([turns[i] for i in indexes], [redacted[i] for i in indexes], disliked)
        for indexes in group_texts(redacted)
    ]
    groups.sort(key=lambda group: (-group.count, -group.last_seen.timestamp(), int(group.key)))
    return groups[:limit]


def _group(turns: Sequence[BotTurn], texts: Sequence[str], disliked: set[int]) -> InboxGroup:
    examples = tuple(dict.fromkeys(texts))[:EXAMPLES_SHOWN]
    return InboxGroup(
        key=str(min(turn.id for turn in turns)),
        text=texts[0],
        count=len(turns),
        turn_ids=tuple(sorted(turn.id for turn in turns)),
        examples=examples,
        reasons=_reasons(turns, disliked),
        suggestions=_suggestions(turns),
        last_seen=max(turn.created_at for turn in turns),
    )


def _reasons(turns: Iterable[BotTurn], disliked: set[int]) -> tuple[tuple[str, int], ...]:
    counts: Counter[str] = Counter()
    for turn in turns:
        if turn.doubt:
            counts[turn.doubt] += 1
        if turn.next_step in _REVIEWED_NEXT_STEPS:
            counts[turn.next_step] += 1
        if turn.id in disliked:
            counts[THUMBS_DOWN] += 1
    rank = {reason: position for position, reason in enumerate(REASON_ORDER)}
    ordered = sorted(counts.items(), key=lambda item: (-item[1], rank.get(item[0], 99), item[0]))
    return tuple(ordered)


def _suggestions(turns: Iterable[BotTurn]) -> tuple[Suggestion, ...]:
    """What the bot understood, most often first, then the surest on average."""
    seen: dict[tuple[str, str], list[float]] = {}
    for turn in turns:
        if turn.faq_entry:
            seen.setdefault(("faq", turn.faq_entry), []).append(_score(turn.faq_score))
        elif turn.intent and turn.intent not in _NOT_SUGGESTIONS:
            seen.setdefault(("intent", turn.intent), []).append(_score(turn.confidence))
    ranked = sorted(
        seen.items(),
        key=lambda item: (-len(item[1]), -_mean(item[1]), item[0]),
    )
    return tuple(
        Suggestion(kind=kind, value=value, confidence=_mean_or_none(scores))
        for (kind, value), scores in ranked[:SUGGESTIONS_SHOWN]
    )


def _score(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def _mean(scores: list[float]) -> float:
    known = [score for score in scores if score == score]
    return sum(known) / len(known) if known else 0.0


def _mean_or_none(scores: list[float]) -> float | None:
    known = [score for score in scores if score == score]
    return round(sum(known) / len(known), 4) if known else None


# --------------------------------------------------------------------------- labelling


def check_label(kind: LabelKind | str, value: str | None, choices: LabelChoices) -> LabelKind:
    """The label's kind, or ``ValueError`` (English; the console says it in French) when the
    intent or the FAQ entry is not one an editor may choose."""
    try:
        label_kind = LabelKind(kind)
    except ValueError:
        raise ValueError(f"unknown label kind {kind!r}") from None
    if label_kind is LabelKind.INTENT and value not in choices.intent_names:
        raise ValueError(f"unknown intent {value!r}")
    if label_kind is LabelKind.FAQ and value not in choices.faq_ids:
        raise ValueError(f"unknown FAQ entry {value!r}")
    return label_kind


def label_turns(
    session: Session,
    turn_ids: Sequence[int],
    kind: LabelKind,
    value: str | None,
    editor: str,
    now: datetime,
    choices: LabelChoices,
) -> int:
    """Label each turn (one row per turn); returns how many.

    A turn has one live label: labelling it again replaces (undoes) the earlier one. Out of
    scope carries no value; a new FAQ entry may carry the editor's working title.
    """
    label_kind = check_label(kind, value, choices)
    if not editor.strip():
        raise ValueError("an editor is needed")
    ids = sorted(set(turn_ids))
    if not ids:
        raise ValueError("no turn to label")
    found = set(session.scalars(select(BotTurn.id).where(BotTurn.id.in_(ids))))
    missing = [turn_id for turn_id in ids if turn_id not in found]
    if missing:
        raise ValueError(f"unknown turn(s) {missing}")
    if label_kind is LabelKind.OUT_OF_SCOPE:
        value = None
    elif value is not None:
        value = value.strip() or None
    session.execute(
        update(ReviewLabel)
        .where(ReviewLabel.turn_id.in_(ids), ReviewLabel.undone_at.is_(None))
        .values(undone_at=now)
    )
    session.add_all(
        ReviewLabel(
            turn_id=turn_id,
            kind=label_kind.value,
            value=value,
            editor=editor,
            created_at=now,
        )
        for turn_id in ids
    )
    session.flush()
    return len(ids)


def undo_last(session: Session, editor: str, now: datetime) -> int:
    """Undo the editor's latest labelling (every live label of theirs made at that instant);
    returns how many labels were undone (0: nothing left to undo)."""
    latest = session.scalar(
        select(func.max(ReviewLabel.created_at)).where(
            ReviewLabel.editor == editor, ReviewLabel.undone_at.is_(None)
        )
    )
    if latest is None:
        return 0
    result = session.execute(
        update(ReviewLabel)
        .where(
            ReviewLabel.editor == editor,
            ReviewLabel.undone_at.is_(None),
            ReviewLabel.created_at == latest,
        )
        .values(undone_at=now)
    )
    session.flush()
    return int(result.rowcount or 0)


def recent_labels(session: Session, limit: int = 20) -> list[LabelledGroup]:
    """The latest labellings still in force, newest first: one entry per editor's action."""
    rows = session.execute(
        select(ReviewLabel, BotTurn.text)
        .join(BotTurn, BotTurn.id == ReviewLabel.turn_id)
        .where(ReviewLabel.undone_at.is_(None))
        .order_by(ReviewLabel.created_at.desc(), ReviewLabel.id)
    )
    actions: dict[tuple[str, datetime, str, str | None], list[tuple[int, str]]] = {}
    for label, text in rows:
        key = (label.editor, label.created_at, label.kind, label.value)
        if key not in actions:
            if len(actions) == limit:
                break
            actions[key] = []
        actions[key].append((label.turn_id, text))
    return [
        LabelledGroup(
            text=redact(turns[0][1]),
            count=len(turns),
            turn_ids=tuple(sorted(turn_id for turn_id, _ in turns)),
            kind=kind,
            value=value,
            editor=editor,
            labelled_at=at,
        )
        for (editor, at, kind, value), turns in actions.items()
    ]


def live_labels(session: Session, until: datetime) -> list[tuple[ReviewLabel, BotTurn]]:
    """Every label in force at ``until`` with its turn, oldest first (the export reads them)."""
    rows = session.execute(
        select(ReviewLabel, BotTurn)
        .join(BotTurn, BotTurn.id == ReviewLabel.turn_id)
        .where(ReviewLabel.undone_at.is_(None), ReviewLabel.created_at <= until)
        .where(BotTurn.text != ERASED)
        .order_by(ReviewLabel.created_at, ReviewLabel.id)
    )
    return [(label, turn) for label, turn in rows]
