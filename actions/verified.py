"""One base for the journeys that answer about a verified order (cancel, track, return, lost
parcel, resizing): each names its action, the intent its final answer is rated under, and the
assistant call; the base refuses to look when the identity check has not accepted the pair."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.common import Outcome, SafeAction
from actions.journey import outcome_of, unverified_outcome, verified_pair
from shop import assistant


class VerifiedOrderAction(SafeAction):
    """An answer about the order whose number and e-mail the identity check accepted."""

    action_name: ClassVar[str]
    topic: ClassVar[str]  # the journey's intent: what the shopper rates
    # Slots emptied after the answer, so the next question of the journey starts afresh.
    forgotten_after_answer: ClassVar[tuple[str, ...]] = ()

    def name(self) -> str:
        return self.action_name

    @abstractmethod
    def answer(
        self, ctx: assistant.ShopContext, number: str, email: str, tracker: Tracker
    ) -> assistant.Answer:
        """The assistant's answer about order ``number`` (its e-mail already checked)."""

    def act(self, tracker: Tracker, domain: dict[str, Any]) -> Outcome:
        pair = verified_pair(tracker)
        if pair is None:
            return unverified_outcome(tracker)
        answer = self.answer(assistant.context_from_env(), *pair, tracker)
        outcome = outcome_of(answer, tracker, self.topic)
        forgotten: list[EventType] = [SlotSet(slot, None) for slot in self.forgotten_after_answer]
        outcome.events += forgotten
        return outcome
