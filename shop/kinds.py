"""The closed sets of values the shop decides and stores, as enums every layer may import.

The policy decides an outcome, the store keeps it on a ticket, the assistant names the ticket's
kind and why a person takes over, the desk closes a handoff with an outcome: one vocabulary,
so this module sits below all of them and imports nothing of ours. The decision enums are
``str``-valued (``Outcome.ALLOWED == "allowed"``, and ``str()`` gives the value, as Python
3.11's ``StrEnum``), so the values read from the database, from Rasa's slots or from a form
compare equal to them. The order's enums keep the class the store has always mapped.
"""

from __future__ import annotations

import enum


class StrEnum(str, enum.Enum):
    """A ``str`` whose ``str()`` and format are its value, as ``enum.StrEnum`` on Python 3.11."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


# --- orders, as the shop's platform and the store know them ----------------------------------


class OrderStatus(str, enum.Enum):
    """The order statuses shown to shoppers (from the seeds' status list)."""

    AWAITING_PAYMENT = "awaiting_payment"
    PAYMENT_AUTHORISED = "payment_authorised"
    BEING_PROCESSED = "being_processed"
    BEING_PREPARED = "being_prepared"
    READY_TO_SHIP = "ready_to_ship"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    RETURNED = "returned"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"


class PaymentMethod(str, enum.Enum):
    CARD = "card"
    PAYPAL = "paypal"
    BANK_TRANSFER = "bank_transfer"
    CHEQUE = "cheque"
    INSTALMENTS_3X = "instalments_3x"
    INSTALMENTS_4X = "instalments_4x"


class ProductKind(str, enum.Enum):
    RING = "ring"
    BRACELET = "bracelet"
    WATCH = "watch"
    EARRINGS = "earrings"
    NECKLACE = "necklace"
    PENDANT = "pendant"
    OTHER = "other"


class PromoKind(str, enum.Enum):
    PERCENT = "percent"
    AMOUNT = "amount"


class TicketStatus(str, enum.Enum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


# --- decisions of the policy ----------------------------------------------------------------


class Topic(StrEnum):
    """What a decision is about: one per rule of the policy."""

    CANCELLATION = "cancellation"
    TRACKING = "tracking"
    RETURN = "return"
    PROMO_CODE = "promo_code"
    LOST_PARCEL = "lost_parcel"
    RESIZING = "resizing"


class Outcome(StrEnum):
    """What the policy decided; the reason code (free, per rule) says why."""

    ALLOWED = "allowed"  # cancellation, return: the shopper may go ahead
    PARTLY_ALLOWED = "partly_allowed"  # return: some lines only
    REFUSED = "refused"
    ALREADY_CANCELLED = "already_cancelled"
    ESCALATE = "escalate"  # a person must look (a ticket is opened)
    INFO = "info"  # tracking: where the order is
    WAIT = "wait"  # lost parcel: too early to worry
    INQUIRY = "inquiry"  # lost parcel: an inquiry with the carrier is due
    NOT_SHIPPED = "not_shipped"  # lost parcel: nothing left the warehouse
    NOT_APPLICABLE = "not_applicable"
    VALID = "valid"  # promo code: nothing wrong with the code itself
    RETURN_FOR_RESIZING = "return_for_resizing"  # resizing inside the free window
    AFTER_SALES_QUOTE = "after_sales_quote"  # resizing after it: a quote from the workshop


# --- what people handle ---------------------------------------------------------------------


class TicketKind(StrEnum):
    """Why a ticket was opened, as stored in ``tickets.kind``."""

    CANCELLATION = "cancellation"
    TRACKING = "tracking"
    RETURN = "return"
    LOST_PARCEL = "lost_parcel"
    RESIZING = "resizing"
    HANDOFF = "handoff"
    IDENTITY_LOCK = "identity_lock"  # too many failed identity checks on an order or e-mail
    PLATFORM_REFUSED = "platform_refused"  # the shop's platform refused a request of ours


class HandoffReason(StrEnum):
    """Why a person takes a conversation over, as stored in ``handoffs.reason``."""

    SHOPPER_REQUEST = "shopper_request"
    FALLBACK = "fallback"  # the bot did not understand twice in a row
    POLICY = "policy"  # the shop's rule needs a person
    IDENTITY = "identity"  # three failed identity checks
    KEPT_REQUEST = "kept_request"  # kept on disk while the store was down
    BOT_UNAVAILABLE = "bot_unavailable"  # the bot stopped answering


class CloseOutcome(StrEnum):
    """How a handoff ended, as stored in ``handoffs.outcome``."""

    RESOLVED = "resolved"
    FOLLOW_UP = "follow_up"  # followed by e-mail, the ticket stays open
    NO_REPLY = "no_reply"
    HANDED_BACK = "handed_back"  # given back to the bot
    ERASED = "erased"  # the conversation was erased at the shopper's request
