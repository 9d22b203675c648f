"""Form validation: the identity pair (order number + email) and what each journey asks.

The pair is checked against the store as soon as both parts are known. A wrong pair gets the
same neutral answer as an unknown order; after three failures the form stops (``identity_locked``)
and the journey action offers a human instead of looking up again. Failures are also stored, so
that an order, an e-mail or a client address that failed too often in the last hour is locked
for every conversation (``assistant.check_identity``).
"""

from __future__ import annotations

import logging
import re
from abc import abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions.common import utter
from shop import assistant
from shop.voice import say

logger = logging.getLogger(__name__)

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
CODE_LIKE = re.compile(r"\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*\b")
SIZE = re.compile(r"\b(\d{1,3}(?:[.,]5)?)\b")
RESIZABLE_KINDS = {"ring", "bracelet", "watch"}
# The form asks for the code again right after this sentence.
EMAIL_NOT_A_CODE = say("order_form.email_not_a_code")


def _entity_values(tracker: Tracker, entity: str) -> list[str]:
    return [
        str(item.get("value"))
        for item in tracker.latest_message.get("entities", [])
        if item.get("entity") == entity and item.get("value")
    ]


def _candidates(value: Any) -> list[str]:
    """Two extractors (regex and DIET) may both fill a slot: then its value is a list."""
    values = value if isinstance(value, list) else [value]
    return [str(item) for item in values if item]


def _asked(tracker: Tracker, slot: str) -> bool:
    return tracker.get_slot("requested_slot") == slot


class AskOrderNumber(Action):
    """The forms' question for the order number, saying how the shop writes it (« 6 chiffres »,
    « au moins 4 chiffres » for a Shopify shop, « 9 lettres » for a PrestaShop one): Rasa's forms
    run ``action_ask_<slot>`` instead of the response when the domain lists it."""

    def name(self) -> str:
        return "action_ask_order_number"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text=assistant.ask_order_number_text())
        return []


class JourneyFormValidation(FormValidationAction):
    """Shared by the six journey forms; subclasses only name their form."""

    checks_identity = True

    @property
    @abstractmethod
    def form(self) -> str:
        """The form this validates (a class attribute in each subclass)."""

    def name(self) -> str:
        return f"validate_{self.form}"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        if self.checks_identity and tracker.get_slot("identity_locked"):
            return []  # stop asking: the journey action offers a human
        return domain_slots

    # --- extraction when the NLU found no entity in an answer to our question -------------

    async def extract_order_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if _entity_values(tracker, "order_number"):
            return {}
        text = tracker.latest_message.get("text")
        if _asked(tracker, "order_number"):
            number = assistant.order_number_in(text)
        else:  # « où en est ma commande 1001 ? » in a shop whose numbers the NLU does not know
            number = assistant.order_number_named_in(text)
        return {"order_number": number} if number else {}

    async def extract_order_email(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if not _asked(tracker, "order_email") or _entity_values(tracker, "email"):
            return {}
        match = EMAIL.search(tracker.latest_message.get("text") or "")
        return {"order_email": match.group(0)} if match else {}

    # --- validation ------------------------------------------------------------------------

    def validate_order_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        numbers = [assistant.normalise_order_number(item) for item in _candidates(value)]
        number = next((item for item in numbers if item), None)
        if number is None:
            dispatcher.utter_message(text=assistant.bad_order_number_text())
            return {"order_number": None}
        verified = tracker.get_slot("verified_order")
        if verified and verified != number and not _entity_values(tracker, "email"):
            # Another order: its email must be checked again.
            return {"order_number": number, "order_email": None, "verified_order": None}
        return {"order_number": number}

    def validate_order_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        matches = [EMAIL.fullmatch(item.strip()) for item in _candidates(value)]
        match = next((item for item in matches if item), None)
        if match is None:
            dispatcher.utter_message(text=say("order_form.bad_email"))
            return {"order_email": None}
        return {"order_email": match.group(0).lower()}

    def validate_product_kind(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        kinds = [item.strip().lower() for item in _candidates(value)]
        kind = next((item for item in kinds if item in RESIZABLE_KINDS), "")
        if kind not in RESIZABLE_KINDS:
            dispatcher.utter_message(text=say("order_form.not_resizable"))
            return {"product_kind": None}
        return {"product_kind": kind}

    def validate_ring_size(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        sizes = [SIZE.search(item) for item in _candidates(value)]
        size = next((match.group(1).replace(",", ".") for match in sizes if match), None)
        if size is None:
            dispatcher.utter_message(text=say("order_form.ring_size_in_digits"))
        return {"ring_size": size}

    def validate_promo_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        codes = [code.strip() for code in _candidates(value) if "@" not in code]
        if not codes:  # an e-mail (or a piece of one) where the code was expected
            utter(dispatcher, assistant.Reply(EMAIL_NOT_A_CODE))
        return {"promo_code": codes[0] if codes else None}

    async def extract_ring_size(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if not _asked(tracker, "ring_size") or _entity_values(tracker, "ring_size"):
            return {}
        match = SIZE.search(tracker.latest_message.get("text") or "")
        return {"ring_size": match.group(1).replace(",", ".")} if match else {}

    async def extract_promo_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if _entity_values(tracker, "promo_code") or tracker.get_slot("promo_code"):
            return {}
        written = tracker.latest_message.get("text") or ""
        # An e-mail is never a code: look for the code in the rest of the message.
        text = EMAIL.sub(" ", written)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if _asked(tracker, "promo_code") and not text.split() and EMAIL.search(written):
            utter(dispatcher, assistant.Reply(EMAIL_NOT_A_CODE))
            return {}
        if _asked(tracker, "promo_code"):
            words = text.split()
            # A bare answer to "which code?" is the code itself, e.g. "bienvenu10".
            if len(words) == 1 and 3 <= len(words[0]) <= 32 and not words[0].startswith("/"):
                return {"promo_code": words[0].strip(".,;!?\"'«»")}
        if _asked(tracker, "promo_code") or intent == "promo_code_failing":
            # Codes the model never saw ("GOLD15", "fete-peres20"): letters joined to digits.
            match = CODE_LIKE.search(text)
            if match:
                return {"promo_code": match.group(0)}
        return {}

    # --- the identity check -----------------------------------------------------------------

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        verified_before = tracker.get_slot("verified_order")
        email_before = tracker.get_slot("order_email")
        events = await super().run(dispatcher, tracker, domain)
        if not self.checks_identity or tracker.slots.get("identity_locked"):
            return events
        number: str | None = tracker.slots.get("order_number")
        email: str | None = tracker.slots.get("order_email")
        if not number or not email or tracker.slots.get("verified_order") == number:
            return events
        if verified_before and email == email_before and not self._email_typed(tracker):
            # Another order than the verified one: the e-mail kept from that order is not the
            # shopper's answer for this one (Rasa re-validates it when a form starts).
            return events + [SlotSet("order_email", None), SlotSet("verified_order", None)]
        return events + self._check_pair(dispatcher, tracker, number, email)

    @staticmethod
    def _email_typed(tracker: Tracker) -> bool:
        text = tracker.latest_message.get("text") or ""
        return bool(_entity_values(tracker, "email") or EMAIL.search(text))

    def _check_pair(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str, email: str
    ) -> list[EventType]:
        try:
            check = assistant.check_identity(
                assistant.context_from_env(),
                number,
                email,
                client=client_of(tracker),
                conversation_id=tracker.sender_id,
            )
        except Exception as error:  # noqa: BLE001 - the shopper gets a polite answer
            logger.error("identity check failed: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_technical_problem")
            return [SlotSet("order_email", None), SlotSet("requested_slot", None)]
        if check.verified:
            return [SlotSet("verified_order", number), SlotSet("identity_failures", 0)]
        forget_pair: list[EventType] = [
            SlotSet("order_number", None),
            SlotSet("order_email", None),
            SlotSet("verified_order", None),
        ]
        if check.locked:
            # Locked across conversations: the journey says so. This conversation's own count
            # does not move, so the journey opens no ticket of its own (the lock opened one).
            return forget_pair + [SlotSet("identity_locked", True), SlotSet("requested_slot", None)]
        failures = int(tracker.get_slot("identity_failures") or 0) + 1
        utter(dispatcher, assistant.identity_failed_reply(failures))
        events = forget_pair + [SlotSet("identity_failures", failures)]
        if failures >= assistant.MAX_IDENTITY_FAILURES:
            events += [SlotSet("identity_locked", True), SlotSet("requested_slot", None)]
        return events


def client_of(tracker: Tracker) -> str | None:
    """The client address the desk passed with the latest message (its ``client`` metadata)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            metadata = event.get("metadata")
            client = metadata.get("client") if isinstance(metadata, dict) else None
            return str(client) if client else None
    return None


class ValidateCancelForm(JourneyFormValidation):
    form = "cancel_form"


class ValidateTrackForm(JourneyFormValidation):
    form = "track_form"


class ValidateReturnForm(JourneyFormValidation):
    form = "return_form"


class ValidateLostParcelForm(JourneyFormValidation):
    form = "lost_parcel_form"


class ValidateResizeForm(JourneyFormValidation):
    form = "resize_form"


class ValidatePromoForm(JourneyFormValidation):
    form = "promo_form"
    checks_identity = False
