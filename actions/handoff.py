"""A person takes over: on request, or when the bot failed to understand twice in a row."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions import faq
from actions.common import Outcome, SafeAction, conversation_id
from actions.journey import outcome_of, user_intent, verified_pair
from shop import assistant
from shop.kinds import HandoffReason, TicketKind
from shop.voice import labels, say

FALLBACKS_BEFORE_HUMAN = 2
UNDERSTOOD_TOPICS = (
    *((title, f"/{intent}") for intent, title in labels("topic_button").items()),
    assistant.HUMAN_BUTTON,
)
JOURNEY_TITLES = {
    payload: title for title, payload in UNDERSTOOD_TOPICS if payload != "/human_handoff"
}
NOT_UNDERSTOOD = say("not_understood.menu")
NOT_SURE = say("not_understood.choices")
# The fallback offers the likeliest topics only: two or three, none the model gave less than
# MIN_CHOICE (with fewer than two, the whole menu of topics).
MAX_CHOICES = 3
MIN_CHOICES = 2
MIN_CHOICE = 0.1
STILL_NOT_UNDERSTOOD = say("not_understood.still")


def consecutive_fallbacks(tracker: Tracker) -> int:
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != "nlu_fallback":
            break
        count += 1
    return count


def _handoff(
    tracker: Tracker, reason: HandoffReason, lead: assistant.Reply | None = None
) -> Outcome:
    pair = verified_pair(tracker)
    intent, confidence = user_intent(tracker, skip_latest=reason == HandoffReason.SHOPPER_REQUEST)
    facts = {
        "previous_intent": intent,
        "previous_confidence": confidence,
        "verified": pair is not None,
        "identity_failures": tracker.get_slot("identity_failures"),
    }
    number, email = pair or (None, None)
    answer = assistant.open_handoff_ticket(
        assistant.context_from_env(),
        conversation_id(tracker),
        facts,
        number=number,
        email=email,
        reason=reason,
        lead=lead,
    )
    return outcome_of(answer, tracker)


class ActionHumanHandoff(SafeAction):
    def name(self) -> str:
        return "action_human_handoff"

    def human_request_kind(self, tracker: Tracker) -> TicketKind | None:
        return TicketKind.HANDOFF

    def act(self, tracker: Tracker, domain: dict[str, Any]) -> Outcome:
        return _handoff(tracker, HandoffReason.SHOPPER_REQUEST)


class ActionFallback(SafeAction):
    """Not understood: offer the likeliest topics; the second time in a row, hand over."""

    def name(self) -> str:
        return "action_fallback"

    def human_request_kind(self, tracker: Tracker) -> TicketKind | None:
        return (
            TicketKind.HANDOFF if consecutive_fallbacks(tracker) >= FALLBACKS_BEFORE_HUMAN else None
        )

    def act(self, tracker: Tracker, domain: dict[str, Any]) -> Outcome:
        if consecutive_fallbacks(tracker) >= FALLBACKS_BEFORE_HUMAN:
            return _handoff(tracker, HandoffReason.FALLBACK, assistant.Reply(STILL_NOT_UNDERSTOOD))
        choices = likeliest_choices(tracker.latest_message)
        if len(choices) >= MIN_CHOICES:
            reply = assistant.Reply(NOT_SURE, (*choices, assistant.HUMAN_BUTTON))
        else:
            reply = assistant.Reply(NOT_UNDERSTOOD, UNDERSTOOD_TOPICS)
        return Outcome(replies=[reply], events=[SlotSet("pending_confirmation", None)])


def likeliest_choices(parse: dict[str, Any]) -> list[tuple[str, str]]:
    """The journeys and FAQ entries the model found likeliest for a message it was unsure
    about, as buttons, best first (at most ``MAX_CHOICES``, each at least ``MIN_CHOICE``;
    none for a message without a word)."""
    if not any(character.isalnum() for character in str(parse.get("text") or "")):
        return []  # « 😡😡 », « ??? »: nothing to go on (bot/nlu_guard.py)
    # The entries' confidences are shares of the whole belief. So are the journeys' when the FAQ
    # selector claimed the message (its ranking then holds ``faq``); otherwise they share what
    # the FAQ left, and are scaled by it to compare (bot/faq_selector.py).
    ranking = parse.get("intent_ranking") or []
    claimed_by_faq = any(item.get("name") == "faq" for item in ranking)
    others_share = 1.0 if claimed_by_faq else 1.0 - float(parse.get("faq_share") or 0.0)
    scored: list[tuple[float, str, str]] = []
    for item in ranking:
        payload = f"/{item.get('name')}"
        title = JOURNEY_TITLES.get(payload)
        if title:
            scored.append((float(item.get("confidence") or 0.0) * others_share, title, payload))
    try:
        entries = faq.knowledge().current()
    except Exception:  # noqa: BLE001 - no FAQ to offer: the journeys alone
        entries = None
    for item in parse.get("faq_candidates") or []:
        entry_id = str(item.get("faq_id"))
        if entries is not None and entry_id in entries:
            payload = faq.choose_payload(entry_id)
            scored.append(
                (float(item.get("confidence") or 0.0), entries.entry(entry_id).title, payload)
            )
    scored.sort(key=lambda choice: -choice[0])
    return [
        (title, payload) for score, title, payload in scored[:MAX_CHOICES] if score >= MIN_CHOICE
    ]
