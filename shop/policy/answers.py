"""The French words of every decision: the one place where a Decision becomes shopper text.

Rules decide, this module speaks. It chooses which sentences a decision needs and in what
order; the sentences themselves are in the shopper catalogue (``shop/voice/shopper.yml``) and
dates, amounts and delays are formatted by ``shop.voice.french`` ("mardi 24 novembre à 13h",
"12,50 €"), so the shopper and the agent read the same reason and a test can check that every
reason code of every topic has a sentence. Dates and times are shown in the shop's timezone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Mapping

from shop.policy import cancellation, lost_parcel, promo, resizing, returns, tracking
from shop.policy.decision import Decision
from shop.policy.profile import ShopProfile
from shop.voice import labels, say
from shop.voice.french import (
    bullets,
    format_amount,
    format_count,
    format_date,
    format_day_and_time,
    format_delay,
    format_percent,
    join_words,
)

__all__ = [
    "CONDITION_NAMES",
    "KIND_NAMES",
    "REASON_CODES",
    "RENDERERS",
    "STATUS_NAMES",
    "format_amount",
    "format_count",
    "format_date",
    "format_datetime",
    "format_delay",
    "format_percent",
    "inquiry_question",
    "render",
    "render_cancelled",
    "render_clause",
    "render_inquiry_opened",
    "render_ticket_opened",
]

Facts = Mapping[str, Any]
Renderer = Callable[[Facts, ShopProfile], list[str]]

STATUS_NAMES = labels("status")
KIND_NAMES = labels("kind")
CONDITION_NAMES = labels("condition")
CHECK_NAMES = labels("check")
DOCUMENT_NAMES = labels("document")
OUTCOME_NAMES = labels("inquiry_outcome")


def format_datetime(moment: datetime | str, profile: ShopProfile) -> str:
    """ "mardi 24 novembre à 13h", in the shop's timezone."""
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return format_day_and_time(profile.local(value))


def _outcomes(codes: list[str]) -> str:
    return join_words([OUTCOME_NAMES[code] for code in codes], last="ou")


# --------------------------------------------------------------------------- cancellation


def _refund_line(facts: Facts, key: str = "refund.done") -> list[str]:
    delay = format_delay(
        facts["refund_delay_min"], facts["refund_delay_max"], facts["refund_delay_unit"]
    )
    lines = [say(key, amount=format_amount(facts["total_cents"]), delay=delay)]
    if facts.get("instalments"):
        lines.append(say("refund.instalments"))
    return lines


def _refuse_parcel_advice(facts: Facts) -> list[str]:
    return [
        say("cancellation.refuse_parcel"),
        say("cancellation.return_it_too", withdrawal_days=facts["withdrawal_days"]),
    ]


def _cancel_before_cutoff(facts: Facts, profile: ShopProfile) -> list[str]:
    cutoff = format_datetime(facts["cutoff"], profile)
    lines = [say("cancellation.before_cutoff", order_number=facts["order_number"], cutoff=cutoff)]
    if facts.get("handling_hours"):
        lines.append(say("cancellation.handling_hours", handling_hours=facts["handling_hours"]))
    return lines + _refund_line(facts)


def _cancel_cutoff_passed(facts: Facts, profile: ShopProfile) -> list[str]:
    cutoff = format_datetime(facts["cutoff"], profile)
    return [
        say("cancellation.cutoff_passed", order_number=facts["order_number"], cutoff=cutoff),
        *_refuse_parcel_advice(facts),
    ]


def _cancel_check_needed(facts: Facts, profile: ShopProfile) -> list[str]:
    cutoff = format_datetime(facts["cutoff"], profile)
    return [
        say("cancellation.check_needed", order_number=facts["order_number"], cutoff=cutoff),
        say("cancellation.check_forwarded"),
    ]


def _cancel_already_shipped(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        say("cancellation.already_shipped", order_number=facts["order_number"]),
        *_refuse_parcel_advice(facts),
    ]


def _cancel_already_delivered(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        say("cancellation.already_delivered", order_number=facts["order_number"]),
        say("cancellation.return_delivered", withdrawal_days=facts["withdrawal_days"]),
    ]


def _cancel_already_cancelled(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        say("cancellation.already_cancelled", order_number=facts["order_number"]),
        *_refund_line(facts),
    ]


def _cancel_already_returned(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        say(
            "cancellation.already_returned",
            order_number=facts["order_number"],
            status=STATUS_NAMES[facts["status"]],
        )
    ]


# --------------------------------------------------------------------------- tracking


def _shipment_lines(facts: Facts) -> list[str]:
    lines = []
    for item in facts.get("shipments", []):
        carrier = item["carrier_label"]
        if item.get("delivered_on"):
            text = say(
                "tracking.parcel_delivered", carrier=carrier, day=format_date(item["delivered_on"])
            )
        elif item.get("expected_by"):
            text = say(
                "tracking.parcel_expected",
                carrier=carrier,
                expected_from=format_date(item["expected_from"]),
                expected_by=format_date(item["expected_by"]),
            )
        else:
            text = say(
                "tracking.parcel_shipped", carrier=carrier, day=format_date(item["shipped_on"])
            )
        if item.get("tracking_url"):
            text += " " + say("tracking.link", url=item["tracking_url"])
        lines.append(text)
    return bullets(lines)


def _unshipped_lines(facts: Facts) -> list[str]:
    titles = [item["title"] for item in facts.get("unshipped_lines", [])]
    if not facts.get("partly_shipped") or not titles:
        return []
    return [say("tracking.unshipped", titles=join_words(titles))]


def _status_sentence(key: str) -> Renderer:
    def render_status(facts: Facts, profile: ShopProfile) -> list[str]:
        return [say(key, order_number=facts["order_number"])]

    return render_status


def _track_stuck(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        say(
            "tracking.stuck_ready_to_ship",
            order_number=facts["order_number"],
            days=facts["days_in_status"],
        ),
        say("tracking.stuck_forwarded"),
    ]


def _track_in_transit(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        say("tracking.in_transit", order_number=facts["order_number"]),
        *_shipment_lines(facts),
        *_unshipped_lines(facts),
        say("tracking.tracking_from_next_day"),
    ]


def _track_late(facts: Facts, profile: ShopProfile) -> list[str]:
    late = [s for s in facts.get("shipments", []) if s.get("late")]
    by = format_date(late[0]["expected_by"]) if late else say("tracking.expected_date_unknown")
    return [
        say("tracking.delivery_late", by=by),
        *_shipment_lines(facts),
        *_unshipped_lines(facts),
        say("tracking.late_forwarded"),
    ]


def _track_delivered(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        say("tracking.delivered", order_number=facts["order_number"]),
        *_shipment_lines(facts),
        *_unshipped_lines(facts),
        say("tracking.delivered_not_received"),
    ]


def _track_refunded(facts: Facts, profile: ShopProfile) -> list[str]:
    lines = [say("tracking.refunded", order_number=facts["order_number"])]
    bank = profile.refund.bank_delay
    if bank is not None:
        delay = format_delay(bank.min, bank.max, bank.unit)
        lines.append(say("tracking.refunded_bank_delay", delay=delay))
    return lines


# --------------------------------------------------------------------------- returns


def _return_lines(facts: Facts) -> list[str]:
    lines = []
    for item in facts.get("lines", []):
        end = format_date(item["window_end"]) if item.get("window_end") else ""
        lines.append(say(f"returns.line.{item['reason']}", title=item["title"], end=end))
    return bullets(lines)


def _return_how(facts: Facts) -> list[str]:
    conditions = join_words([CONDITION_NAMES[c] for c in facts["conditions"]])
    fees = say(
        "returns.fees_offered" if facts["shipping_paid_by"] == "shop" else "returns.fees_yours"
    )
    delay = format_delay(
        facts["refund_delay_min"], facts["refund_delay_max"], facts["refund_delay_unit"]
    )
    return [
        say("returns.conditions", conditions=conditions, fees=fees),
        say("returns.how"),
        *bullets(list(facts["steps"])),
        say("returns.refund_after_check", delay=delay),
    ]


def _return_all(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        say(
            "returns.all_eligible",
            order_number=facts["order_number"],
            window_days=facts["window_days"],
        ),
        *_return_lines(facts),
        *_return_how(facts),
    ]


def _return_partly(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        say("returns.partly_eligible", order_number=facts["order_number"]),
        *_return_lines(facts),
        *_return_how(facts),
    ]


def _return_none(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        say("returns.none_eligible", order_number=facts["order_number"]),
        *_return_lines(facts),
    ]


def _return_not_delivered(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        say("returns.not_delivered_yet", order_number=facts["order_number"]),
        say("returns.not_delivered_how"),
    ]


def _return_missing_date(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        say("returns.missing_delivery_date", order_number=facts["order_number"]),
        say("returns.missing_date_forwarded"),
    ]


# --------------------------------------------------------------------------- promo codes


def _promo_unknown(facts: Facts, profile: ShopProfile) -> list[str]:
    lines = [say("promo.unknown", code=facts["code"])]
    if facts.get("suggestion"):
        lines.append(say("promo.did_you_mean", suggestion=facts["suggestion"]))
    else:
        lines.append(say("promo.check_spelling"))
    lines.append(say("promo.personal_code"))
    return lines


def _local_day(moment: str | None, profile: ShopProfile) -> str:
    return format_date(profile.local_date(datetime.fromisoformat(moment))) if moment else ""


def _promo_sentence(key: str) -> Renderer:
    """One sentence about the code; it may name the code, its dates and its minimum basket."""

    def render_promo(facts: Facts, profile: ShopProfile) -> list[str]:
        values = {
            "code": facts["code"],
            "valid_from": _local_day(facts.get("valid_from"), profile),
            "valid_until": _local_day(facts.get("valid_until"), profile),
            "min_basket": format_amount(facts.get("min_basket_cents") or 0),
        }
        return [say(key, **values)]

    return render_promo


def _promo_valid(facts: Facts, profile: ShopProfile) -> list[str]:
    until = _local_day(facts["valid_until"], profile)
    lines = [say("promo.valid", code=facts["code"], valid_until=until)]
    if facts.get("min_basket_cents"):
        lines.append(
            say("promo.valid_min_basket", min_basket=format_amount(facts["min_basket_cents"]))
        )
    if facts.get("nominative") and not facts.get("customer_known"):
        lines.append(say("promo.valid_nominative"))
    if facts.get("single_use"):
        lines.append(say("promo.valid_single_use"))
    lines.append(say("promo.valid_how", apply_button=facts["apply_button"]))
    return lines


# --------------------------------------------------------------------------- lost parcel


def _inquiry_lines(facts: Facts) -> list[str]:
    documents = [DOCUMENT_NAMES[d] for d in facts["documents"]]
    lines = []
    if documents:
        lines += [say("lost_parcel.documents_to_send"), *bullets(documents)]
    days_key = (
        "lost_parcel.inquiry_days" if facts["inside_eu"] else "lost_parcel.inquiry_days_outside_eu"
    )
    lines += [
        say(days_key, days=facts["inquiry_days"]),
        say("lost_parcel.if_lost", outcomes=_outcomes(facts["outcomes"])),
    ]
    return lines


def _lost_not_shipped(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        say(
            "lost_parcel.not_shipped",
            order_number=facts["order_number"],
            status=STATUS_NAMES[facts["status"]],
        )
    ]


def _lost_wait(facts: Facts, profile: ShopProfile) -> list[str]:
    by = (
        format_date(facts["expected_by"])
        if facts.get("expected_by")
        else say("lost_parcel.expected_soon")
    )
    lines = [say("lost_parcel.on_its_way", carrier=facts["carrier_label"], by=by)]
    if facts.get("tracking_url"):
        lines.append(say("tracking.link", url=facts["tracking_url"]))
    return lines


def _lost_late(facts: Facts, profile: ShopProfile) -> list[str]:
    by = (
        format_date(facts["expected_by"])
        if facts.get("expected_by")
        else say("tracking.expected_date_unknown")
    )
    return [say("lost_parcel.late", by=by), *_inquiry_lines(facts)]


def _lost_delivered(facts: Facts, profile: ShopProfile) -> list[str]:
    opening = (
        say("lost_parcel.delivered_on", day=format_date(facts["delivered_on"]))
        if facts.get("delivered_on")
        else say("lost_parcel.delivered")
    )
    checks = [CHECK_NAMES[c] for c in facts["checklist"]]
    if facts.get("tracking_url") and "tracking_link" in facts["checklist"]:
        position = facts["checklist"].index("tracking_link")
        checks[position] = checks[position].rstrip(".") + f" : {facts['tracking_url']}"
    return [
        opening,
        *bullets(checks),
        say("lost_parcel.still_nothing"),
        *_inquiry_lines(facts),
    ]


def _lost_closed(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        say(
            "lost_parcel.order_closed",
            order_number=facts["order_number"],
            status=STATUS_NAMES[facts["status"]],
        )
    ]


# --------------------------------------------------------------------------- resizing


def _workshop(facts: Facts) -> str:
    return format_delay(
        facts["workshop_days_min"], facts["workshop_days_max"], facts["workshop_days_unit"]
    )


def _resize_not_resizable(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        say("resizing.not_resizable", title=facts["title"], kind=KIND_NAMES[facts["kind"]]),
        say("resizing.resizable_kinds"),
    ]


def _resize_invalid(facts: Facts, profile: ShopProfile) -> list[str]:
    if facts["kind"] == "ring":
        return [
            say(
                "resizing.invalid_ring_size",
                wanted_size=facts["wanted_size"],
                ring_size_min=facts["ring_size_min"],
                ring_size_max=facts["ring_size_max"],
            )
        ]
    return [say("resizing.invalid_size", wanted_size=facts["wanted_size"])]


def _resize_not_delivered(facts: Facts, profile: ShopProfile) -> list[str]:
    return [say("resizing.not_delivered_yet", title=facts["title"])]


def _resize_missing_date(facts: Facts, profile: ShopProfile) -> list[str]:
    return [say("resizing.missing_delivery_date")]


def _resize_in_window(facts: Facts, profile: ShopProfile) -> list[str]:
    lines = [
        say("resizing.in_window", title=facts["title"], wanted_size=facts["wanted_size"]),
        say("resizing.workshop", delay=_workshop(facts)),
    ]
    if facts["extra_cost_possible"]:
        lines.append(say("resizing.extra_cost"))
    if facts["reorder_if_impossible"]:
        lines.append(say("resizing.reorder"))
    if facts["return_shipping_paid_by"] == "customer":
        lines.append(say("resizing.shipping_yours"))
    lines.append(say("resizing.request_opened"))
    return lines


def _resize_quote(why_key: str) -> Renderer:
    """Past the return window, engraved or made to measure: the after-sales service quotes."""

    def render_quote(facts: Facts, profile: ShopProfile) -> list[str]:
        why = say(why_key, end=format_date(facts["window_end"]), title=facts["title"])
        return [say("resizing.after_sales_quote", why=why), say("resizing.request_for_team")]

    return render_quote


# --------------------------------------------------------------------------- registry

RENDERERS: dict[str, dict[str, Renderer]] = {
    cancellation.TOPIC: {
        "before_cutoff": _cancel_before_cutoff,
        "cutoff_passed": _cancel_cutoff_passed,
        "cutoff_passed_check_needed": _cancel_check_needed,
        "already_shipped": _cancel_already_shipped,
        "already_delivered": _cancel_already_delivered,
        "already_cancelled": _cancel_already_cancelled,
        "already_returned": _cancel_already_returned,
    },
    tracking.TOPIC: {
        "awaiting_payment": _status_sentence("tracking.awaiting_payment"),
        "payment_authorised": _status_sentence("tracking.payment_authorised"),
        "being_processed": _status_sentence("tracking.being_processed"),
        "being_prepared": _status_sentence("tracking.being_prepared"),
        "ready_to_ship": _status_sentence("tracking.ready_to_ship"),
        "stuck_ready_to_ship": _track_stuck,
        "in_transit": _track_in_transit,
        "delivery_late": _track_late,
        "missing_tracking": _status_sentence("tracking.missing_tracking"),
        "delivered": _track_delivered,
        "returned": _status_sentence("tracking.returned"),
        "refunded": _track_refunded,
        "cancelled": _status_sentence("tracking.cancelled"),
    },
    returns.TOPIC: {
        "all_eligible": _return_all,
        "partly_eligible": _return_partly,
        "none_eligible": _return_none,
        "not_delivered_yet": _return_not_delivered,
        "missing_delivery_date": _return_missing_date,
        "already_returned": _status_sentence("returns.already_returned"),
        "order_cancelled": _status_sentence("returns.order_cancelled"),
    },
    promo.TOPIC: {
        "unknown": _promo_unknown,
        "inactive": _promo_sentence("promo.inactive"),
        "not_yet_valid": _promo_sentence("promo.not_yet_valid"),
        "expired": _promo_sentence("promo.expired"),
        "already_used": _promo_sentence("promo.already_used"),
        "nominative_other_account": _promo_sentence("promo.nominative_other_account"),
        "min_basket": _promo_sentence("promo.min_basket"),
        "not_cumulative": _promo_sentence("promo.not_cumulative"),
        "excluded_discounted": _promo_sentence("promo.excluded_discounted"),
        "valid_check_login": _promo_valid,
    },
    lost_parcel.TOPIC: {
        "not_shipped": _lost_not_shipped,
        "within_expected_delay": _lost_wait,
        "late_in_transit": _lost_late,
        "delivered_not_received": _lost_delivered,
        "order_closed": _lost_closed,
        "missing_tracking": _status_sentence("lost_parcel.missing_tracking"),
    },
    resizing.TOPIC: {
        "not_resizable": _resize_not_resizable,
        "invalid_size": _resize_invalid,
        "not_delivered_yet": _resize_not_delivered,
        "missing_delivery_date": _resize_missing_date,
        "in_window": _resize_in_window,
        "window_passed": _resize_quote("resizing.why.window_passed"),
        "engraved": _resize_quote("resizing.why.engraved"),
        "made_to_measure": _resize_quote("resizing.why.made_to_measure"),
    },
}

REASON_CODES: dict[str, frozenset[str]] = {
    cancellation.TOPIC: cancellation.REASON_CODES,
    tracking.TOPIC: tracking.REASON_CODES,
    returns.TOPIC: returns.REASON_CODES,
    promo.TOPIC: promo.REASON_CODES,
    lost_parcel.TOPIC: lost_parcel.REASON_CODES,
    resizing.TOPIC: resizing.REASON_CODES,
}


def render(decision: Decision, profile: ShopProfile) -> str:
    """The French answer for the shopper, one short line per idea."""
    renderer = RENDERERS[decision.topic][decision.reason_code]
    return "\n".join(renderer(decision.facts, profile))


def render_clause(decision: Decision) -> str:
    """The rule a decision rests on, for agents (and shoppers who ask why)."""
    clause = decision.clause
    return say("policy.clause", shop=clause.shop, rule=clause.rule, text=clause.text)


# --------------------------------------------------------------------------- after an action


def render_cancelled(
    decision: Decision, profile: ShopProfile, *, platform_to_confirm: bool = False
) -> str:
    """The order was just cancelled in the store (the decision was taken at that instant).

    ``platform_to_confirm``: the order lives in the shop's platform, which has been asked to
    cancel it and has not confirmed yet; the shopper hears what was requested, not a promise."""
    facts = decision.facts
    if platform_to_confirm:
        return "\n".join(
            [
                say("cancellation.requested", order_number=facts["order_number"]),
                *_refund_line(facts, "refund.once_cancellation_recorded"),
            ]
        )
    return "\n".join(
        [say("cancellation.done", order_number=facts["order_number"]), *_refund_line(facts)]
    )


def inquiry_question(decision: Decision) -> str:
    """Ask before opening a carrier inquiry: after the checklist when the parcel is marked
    delivered, straight away when it is late or has no tracking (no checklist was given)."""
    if decision.reason_code == "delivered_not_received":
        return say("lost_parcel.ask_inquiry_after_checks")
    return say("lost_parcel.ask_inquiry")


def render_inquiry_opened(decision: Decision, ticket_number: str) -> str:
    """A carrier inquiry ticket was opened for a lost parcel."""
    facts = decision.facts
    documents = [DOCUMENT_NAMES[d] for d in facts.get("documents", [])]
    lines = [say("lost_parcel.inquiry_opened", ticket_number=ticket_number)]
    if facts.get("inquiry_days"):
        days_key = (
            "lost_parcel.opened_days"
            if facts.get("inside_eu", True)
            else "lost_parcel.opened_days_outside_eu"
        )
        lines.append(say(days_key, days=facts["inquiry_days"]))
    if documents:
        lines += [say("lost_parcel.opened_documents"), *bullets(documents)]
    outcomes = _outcomes(facts.get("outcomes", []))
    if outcomes:
        lines.append(say("lost_parcel.opened_if_lost", outcomes=outcomes))
    return "\n".join(lines)


def render_ticket_opened(ticket_number: str, shop_open: bool) -> str:
    """A ticket was opened: its number, and when a person will answer."""
    key = "ticket.opened_shop_open" if shop_open else "ticket.opened_shop_closed"
    return say(key, ticket_number=ticket_number)
