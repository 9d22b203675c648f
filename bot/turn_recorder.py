"""Record what the bot understood of each shopper message, and what the shopper did next.

The Rasa server calls ``record_new_events`` from its tracker store (``bot/tracker_store.py``)
with the events a save adds, inside the transaction that stores them: one ``bot_turns`` row per
shopper message (widget and REST alike) costs an INSERT, plus a SELECT and an UPDATE to say
what the shopper did after the previous answer, and no commit of its own (BENCHMARKS.md).

A turn's row says the intent (the best real intent when the fallback took over) and its
confidence, the FAQ entry (the one answered, else the likeliest) and its score, the entities,
the actions taken, and why the bot may have been unsure. A button click (a ``/`` payload) is
not a message to learn from: it records no row, but still tells the previous turn what came
next. Recording never breaks a turn: anything unexpected in the events is logged and skipped.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Iterable, Sequence

from rapidfuzz import fuzz
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, UserUttered
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from bot.faq_selector import ENTRY_PREFIX, FAQ_CANDIDATES, RETRIEVAL_INTENT
from shop.clock import Clock
from shop.knowledge.text import fold
from shop.store.learning import TURN_TEXT_LIMIT, BotTurn, Doubt, NextStep
from shop.store.statements import run

logger = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTIONS = frozenset({"action_fallback", "action_default_fallback"})
HANDOFF_INTENT = "human_handoff"
HANDOFF_ACTION = "action_human_handoff"
CLOSINGS = frozenset({"thanks", "goodbye"})
CHOOSE_FAQ_PAYLOAD = "/choose_faq"
# Answered, but below this the answer deserves an editor's look (the fallback is at 0.5).
LOW_CONFIDENCE = 0.7
# A message this soon after an unsure answer, or this close to the previous one, rephrases it.
REPHRASE_WITHIN = timedelta(minutes=3)
SIMILAR_WITHIN = timedelta(minutes=10)
SIMILAR_RATIO = 75


# A save's statements, built once (``shop.store.statements``).
_TURNS = BotTurn.__table__
_PREVIOUS_TURN = (
    select(_TURNS.c.id, _TURNS.c.text, _TURNS.c.doubt, _TURNS.c.created_at, _TURNS.c.next_step)
    .where(_TURNS.c.conversation_id == bindparam("conversation_id"))
    .order_by(_TURNS.c.id.desc())
    .limit(1)
)
_SAY_NEXT_STEP = (
    update(_TURNS).where(_TURNS.c.id == bindparam("turn_id")).values(next_step=bindparam("step"))
)
_ADD_TURN = insert(_TURNS)


def record_new_events(
    session: Session, sender_id: str, events: Sequence[Event], clock: Clock
) -> None:
    """Add the turns in ``events`` (the ones a tracker save adds) to ``session``, at the
    product's time (``clock``: frozen in demos and tests, like the desk's and the actions')."""
    try:
        for message, after in _turns(events):
            _record(session, sender_id, message, after, clock.now())
    except Exception:  # noqa: BLE001 - a recording bug must never lose the shopper's turn
        logger.exception("could not record a turn")


def _turns(events: Sequence[Event]) -> Iterable[tuple[UserUttered, list[Event]]]:
    """Each shopper message with the events that followed it in this save."""
    current: UserUttered | None = None
    after: list[Event] = []
    for event in events:
        if isinstance(event, UserUttered):
            if current is not None:
                yield current, after
            current, after = event, []
        elif current is not None:
            after.append(event)
    if current is not None:
        yield current, after


def _record(
    session: Session, sender_id: str, message: UserUttered, after: list[Event], at: datetime
) -> None:
    text = message.text or ""
    parse = message.parse_data or {}
    intent, confidence = _best_intent(parse)
    actions = [
        e.action_name
        for e in after
        if isinstance(e, ActionExecuted) and e.action_name and e.action_name != "action_listen"
    ]
    previous = run(session, _PREVIOUS_TURN, conversation_id=sender_id).one_or_none()
    if previous is not None and previous.next_step is None:
        step = _next_step(previous, text, intent, actions, at).value
        run(session, _SAY_NEXT_STEP, turn_id=previous.id, step=step)
    if text.startswith("/"):
        return  # a button's payload: it answered the previous turn, nothing to learn from it
    faq_entry, faq_score = _faq_entry(parse)
    run(
        session,
        _ADD_TURN,
        conversation_id=sender_id,
        text=text[:TURN_TEXT_LIMIT],
        intent=intent,
        confidence=confidence,
        faq_entry=faq_entry,
        faq_score=faq_score,
        entities=[
            {"entity": str(e.get("entity")), "value": e.get("value")}
            for e in parse.get("entities") or []
            if isinstance(e, dict)
        ],
        actions=actions,
        doubt=_doubt(parse, confidence, actions, after),
        created_at=at,
    )


def _best_intent(parse: dict[str, Any]) -> tuple[str | None, float | None]:
    """The intent the model believed most, past the fallback's own ``nlu_fallback``."""
    ranking = [parse.get("intent") or {}, *(parse.get("intent_ranking") or [])]
    for item in ranking:
        name = item.get("name") if isinstance(item, dict) else None
        if name and name != FALLBACK_INTENT:
            score = item.get("confidence")
            return str(name), float(score) if isinstance(score, (int, float)) else None
    return None, None


def _faq_entry(parse: dict[str, Any]) -> tuple[str | None, float | None]:
    """The FAQ entry answered (a FAQ question), else the likeliest entry, and its score."""
    response = ((parse.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}).get(
        "response"
    ) or {}
    key = response.get("intent_response_key")
    if isinstance(key, str) and key.startswith(ENTRY_PREFIX):
        return key[len(ENTRY_PREFIX) :], _number(response.get("confidence"))
    candidates = parse.get(FAQ_CANDIDATES) or []
    if candidates and isinstance(candidates[0], dict) and candidates[0].get("faq_id"):
        return str(candidates[0]["faq_id"]), _number(candidates[0].get("confidence"))
    return None, None


def _doubt(
    parse: dict[str, Any], confidence: float | None, actions: list[str], after: list[Event]
) -> str | None:
    if (parse.get("intent") or {}).get("name") == FALLBACK_INTENT or FALLBACK_ACTIONS & set(
        actions
    ):
        return Doubt.FALLBACK.value
    if any(_offers_faq_choice(event) for event in after):
        return Doubt.AMBIGUOUS.value
    if confidence is not None and confidence < LOW_CONFIDENCE:
        return Doubt.LOW_CONFIDENCE.value
    return None


def _offers_faq_choice(event: Event) -> bool:
    """« Vouliez-vous dire… »: the bot offered FAQ entries to choose from."""
    if not isinstance(event, BotUttered):
        return False
    buttons = (event.data or {}).get("buttons") or []
    return any(
        isinstance(b, dict) and str(b.get("payload", "")).startswith(CHOOSE_FAQ_PAYLOAD)
        for b in buttons
    )


def _next_step(
    previous: Row, text: str, intent: str | None, actions: list[str], at: datetime
) -> NextStep:
    """What this message says of the answer to ``previous``."""
    if intent == HANDOFF_INTENT or HANDOFF_ACTION in actions:
        return NextStep.HANDOFF
    if intent in CLOSINGS:
        return NextStep.THANKED
    if text.startswith("/"):
        return NextStep.CONTINUED  # a button the bot offered
    gap = at - previous.created_at
    if previous.doubt is not None and gap <= REPHRASE_WITHIN:
        return NextStep.REPHRASED
    if gap <= SIMILAR_WITHIN and fuzz.token_set_ratio(fold(previous.text), fold(text)) >= (
        SIMILAR_RATIO
    ):
        return NextStep.REPHRASED
    return NextStep.CONTINUED


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None
