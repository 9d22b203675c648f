"""A shopper's traces in what the shop's platform sent and what the store owes it: part of the
right of access and of erasure (``shop.privacy.subject``).

A webhook delivery (``platform_deliveries``) is the platform's order as it was sent: names,
postal and e-mail addresses. The shopper's are those of their orders, and any whose body names
their e-mail (one that never became an order, a failed one say). Erasure deletes them all,
pending ones too (applied later, one would write the e-mail back into the store).

A request to the platform (``platform_requests``) names only the platform's order. Erasure
deletes the finished ones; one still waiting is the shopper's own cancellation on its way to
the platform, and stays until the platform confirms it (the order itself is kept for the
shop's accounts anyway).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from shop.store import platform_deliveries, platform_requests
from shop.store.models import Order
from shop.store.platform_deliveries import PlatformDelivery
from shop.store.platform_requests import PlatformRequest

DELIVERIES = "platform_deliveries"
REQUESTS = "platform_requests"


@dataclass
class PlatformTraces:
    deliveries: list[PlatformDelivery]
    requests: list[PlatformRequest]


def find_traces(session: Session, email: str, orders: list[Order]) -> PlatformTraces:
    """``email`` is already normalised (lower case)."""
    from_platform = [
        (str(order.platform), str(order.platform_order_id))
        for order in orders
        if order.platform and order.platform_order_id
    ]
    requests = [
        request
        for order in orders
        for request in platform_requests.requests_for_order(session, order.id)
    ]
    return PlatformTraces(
        deliveries=platform_deliveries.deliveries_about(session, email, from_platform),
        requests=requests,
    )


def export_traces(traces: PlatformTraces) -> dict[str, list[dict[str, Any]]]:
    return {
        DELIVERIES: [
            {
                "platform": delivery.platform,
                "topic": delivery.topic,
                "platform_order_id": delivery.platform_order_id,
                "received_at": _when(delivery.received_at),
                "state": delivery.state,
                "outcome": delivery.outcome,
                "body": delivery.body,
                "last_error": delivery.last_error,
            }
            for delivery in traces.deliveries
        ],
        REQUESTS: [
            {
                "kind": request.kind,
                "platform": request.platform,
                "platform_order_id": request.platform_order_id,
                "state": request.state,
                "created_at": _when(request.created_at),
                "finished_at": _when(request.finished_at),
                "note": request.note,
            }
            for request in traces.requests
        ],
    }


def erase_traces(session: Session, traces: PlatformTraces) -> dict[str, int]:
    """Delete the deliveries and the finished requests; rows deleted per table."""
    for delivery in traces.deliveries:
        session.delete(delivery)
    finished = [r for r in traces.requests if r.state in platform_requests.FINISHED_STATES]
    for request in finished:
        session.delete(request)
    session.flush()
    return {DELIVERIES: len(traces.deliveries), REQUESTS: len(finished)}


def _when(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None
