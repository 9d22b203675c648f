"""Lost parcels: wait inside the expected window, then a carrier inquiry (x2 outside the EU)."""

from __future__ import annotations

from shop.policy.lost_parcel import decide_lost_parcel
from shop.policy.profile import ShopProfile
from shop.store.models import OrderStatus
from tests.unit.conftest import (
    build_delivered_order,
    build_line,
    build_order,
    build_shipment,
    paris,
)

FRIDAY = paris(2025, 11, 21, 16)


def _shipped(country: str = "FR"):  # type: ignore[no-untyped-def]
    line = build_line()
    shipment = build_shipment([line], shipped_at=FRIDAY, country=country)
    return build_order(OrderStatus.SHIPPED, FRIDAY, [line], [shipment], country=country)


def test_not_shipped_order_says_its_status(bijou: ShopProfile) -> None:
    order = build_order(OrderStatus.BEING_PREPARED, FRIDAY)
    decision = decide_lost_parcel(order, bijou, paris(2025, 11, 24))
    assert (decision.outcome, decision.facts["status"]) == ("not_shipped", "being_prepared")


def test_parcel_within_expected_delay_means_wait(bijou: ShopProfile) -> None:
    decision = decide_lost_parcel(_shipped(), bijou, paris(2025, 11, 27, 20))
    assert (decision.outcome, decision.facts["expected_by"]) == ("wait", "2025-11-27")
    assert not decision.needs_human


def test_late_parcel_opens_an_inquiry(bijou: ShopProfile) -> None:
    decision = decide_lost_parcel(_shipped(), bijou, paris(2025, 11, 28, 9))
    assert (decision.outcome, decision.reason_code) == ("inquiry", "late_in_transit")
    assert decision.needs_human and decision.facts["inquiry_days"] == 21


def test_inquiry_is_doubled_outside_the_eu(ocre: ShopProfile) -> None:
    decision = decide_lost_parcel(_shipped("US"), ocre, paris(2025, 12, 31))
    assert decision.facts["inside_eu"] is False
    assert decision.facts["inquiry_days"] == 42


def test_delivered_but_not_received_gives_checklist_documents_and_outcomes(
    bijou: ShopProfile,
) -> None:
    order = build_delivered_order(paris(2025, 11, 20, 11))
    decision = decide_lost_parcel(order, bijou, paris(2025, 11, 24))
    assert (decision.reason_code, decision.needs_human) == ("delivered_not_received", True)
    assert decision.facts["documents"] == ["sworn_statement", "id_copy"]
    assert "neighbours" in decision.facts["checklist"]
    assert decision.facts["outcomes"] == ["refund", "reshipment"]


def test_cancelled_order_has_no_parcel(bijou: ShopProfile) -> None:
    order = build_order(OrderStatus.CANCELLED, FRIDAY)
    assert decide_lost_parcel(order, bijou, paris(2025, 11, 24)).reason_code == "order_closed"
