"""Can this ring, bracelet or watch strap be resized, and how?

Inside the return window a resizable item is sent back for resizing, subject to the workshop
(possible extra cost, or a re-order in the new size); outside it, or for an engraved or
made-to-measure item, the after-sales service quotes first. Either way a person takes over,
so every accepted request opens a ticket.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from shop.kinds import OrderStatus, Outcome, ProductKind, Topic
from shop.policy.decision import Decision
from shop.policy.profile import ShopProfile
from shop.policy.returns import is_within_window, line_delivery_date, window_end
from shop.policy.views import LineView, OrderView, line_view, order_view

TOPIC = Topic.RESIZING
REASON_CODES = frozenset(
    {
        "not_resizable",
        "invalid_size",
        "not_delivered_yet",
        "missing_delivery_date",
        "in_window",
        "window_passed",
        "engraved",
        "made_to_measure",
    }
)

_SIZE_RE = re.compile(r"^(?:t(?:aille)?\s*)?(\d{1,3}(?:[.,]\d{1,2})?)\s*(?:cm|mm)?$")


def parse_size(wanted_size: Any) -> float | None:
    """A size as a number ("52", "T52", "taille 17,5", 52) or None if it is not one."""
    if isinstance(wanted_size, bool):
        return None
    if isinstance(wanted_size, (int, float)):
        return float(wanted_size)
    match = _SIZE_RE.match(str(wanted_size or "").strip().lower())
    return float(match.group(1).replace(",", ".")) if match else None


def decide_resizing(
    order: OrderView, line: LineView, wanted_size: Any, profile: ShopProfile, now: datetime
) -> Decision:
    view = order_view(order)
    line = line_view(order, view, line)
    order = view
    rules = profile.resizing
    kind = line.kind
    size = parse_size(wanted_size)
    facts: dict[str, Any] = {
        "order_number": order.number,
        "line_id": line.id,
        "title": line.title,
        "kind": kind.value,
        "current_size": line.size,
        "wanted_size": _format_size(size) if size is not None else str(wanted_size),
        "ring_size_min": rules.ring_size_min,
        "ring_size_max": rules.ring_size_max,
        "resizable_kinds": sorted(k.value for k in rules.resizable_kinds),
    }
    in_clause = profile.clause("resizing.clause_in_window", rules.clause_in_window)
    out_clause = profile.clause("resizing.clause_out_of_window", rules.clause_out_of_window)

    if kind not in rules.resizable_kinds:
        return Decision(TOPIC, Outcome.REFUSED, "not_resizable", in_clause, facts)
    if not _valid_size(kind, size, profile):
        return Decision(TOPIC, Outcome.REFUSED, "invalid_size", in_clause, facts)

    delivered_on = line_delivery_date(line, profile)
    if delivered_on is None:
        if order.status == OrderStatus.DELIVERED and line.shipment is not None:
            return Decision(
                TOPIC, Outcome.ESCALATE, "missing_delivery_date", in_clause, facts, needs_human=True
            )
        return Decision(TOPIC, Outcome.REFUSED, "not_delivered_yet", in_clause, facts)

    facts.update(_service_facts(profile, delivered_on.isoformat()))
    facts["window_end"] = window_end(delivered_on, profile).isoformat()
    if line.engraved or line.made_to_measure:
        reason = "engraved" if line.engraved else "made_to_measure"
        return Decision(
            TOPIC, Outcome.AFTER_SALES_QUOTE, reason, out_clause, facts, needs_human=True
        )
    if is_within_window(delivered_on, profile, now):
        return Decision(
            TOPIC, Outcome.RETURN_FOR_RESIZING, "in_window", in_clause, facts, needs_human=True
        )
    return Decision(
        TOPIC, Outcome.AFTER_SALES_QUOTE, "window_passed", out_clause, facts, needs_human=True
    )


def _valid_size(kind: ProductKind, size: float | None, profile: ShopProfile) -> bool:
    if size is None or size <= 0:
        return False
    if kind != ProductKind.RING:
        return True
    rules = profile.resizing
    return size.is_integer() and rules.ring_size_min <= size <= rules.ring_size_max


def _format_size(size: float) -> str:
    return str(int(size)) if size.is_integer() else f"{size:.1f}".replace(".", ",")


def _service_facts(profile: ShopProfile, delivered_on: str) -> dict[str, Any]:
    rules = profile.resizing
    return {
        "delivered_on": delivered_on,
        "window_days": profile.returns.window_days,
        "workshop_days_min": rules.workshop_days.min,
        "workshop_days_max": rules.workshop_days.max,
        "workshop_days_unit": rules.workshop_days.unit,
        "extra_cost_possible": rules.extra_cost_possible,
        "reorder_if_impossible": rules.reorder_if_impossible,
        "return_shipping_paid_by": rules.return_shipping_paid_by,
    }
