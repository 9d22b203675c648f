"""Tracking: expected windows in working days, late parcels, partial shipments, stuck orders."""

from __future__ import annotations

from shop.policy.profile import ShopProfile
from shop.policy.tracking import describe_tracking
from shop.store.models import OrderStatus, ProductKind
from tests.unit.conftest import build_line, build_order, build_shipment, paris

FRIDAY = paris(2025, 11, 21, 16)


def _shipped_order(shipped_at=FRIDAY, carrier="colissimo", country="FR"):  # type: ignore[no-untyped-def]
    line = build_line()
    shipment = build_shipment([line], shipped_at=shipped_at, carrier=carrier, country=country)
    return build_order(OrderStatus.SHIPPED, shipped_at, [line], [shipment])


def test_friday_shipment_window_skips_the_weekend(bijou: ShopProfile) -> None:
    decision = describe_tracking(_shipped_order(), bijou, paris(2025, 11, 24, 10))
    shipment = decision.facts["shipments"][0]
    assert (shipment["expected_from"], shipment["expected_by"]) == ("2025-11-25", "2025-11-27")
    assert decision.reason_code == "in_transit" and not decision.needs_human
    assert shipment["tracking_url"].endswith("code=6A12345678901")
    assert shipment["carrier_label"] == "Colissimo (La Poste)"


def test_parcel_on_last_expected_day_is_not_late(bijou: ShopProfile) -> None:
    decision = describe_tracking(_shipped_order(), bijou, paris(2025, 11, 27, 23, 59))
    assert decision.reason_code == "in_transit"


def test_parcel_past_the_max_delay_is_late_and_escalated(bijou: ShopProfile) -> None:
    decision = describe_tracking(_shipped_order(), bijou, paris(2025, 11, 28, 0, 1))
    assert (decision.reason_code, decision.needs_human) == ("delivery_late", True)


def test_europe_zone_uses_the_europe_delay(bijou: ShopProfile) -> None:
    decision = describe_tracking(_shipped_order(country="DE"), bijou, paris(2025, 11, 24))
    assert decision.facts["shipments"][0]["zone"] == "europe"
    assert decision.facts["shipments"][0]["expected_by"] == "2025-12-03"  # 8 working days


def test_partly_shipped_order_lists_the_missing_lines(bijou: ShopProfile) -> None:
    shipped = build_line(1, "Bague Soleil")
    waiting = build_line(2, "Collier Lune", ProductKind.NECKLACE)
    shipment = build_shipment([shipped], shipped_at=FRIDAY)
    order = build_order(OrderStatus.SHIPPED, FRIDAY, [shipped, waiting], [shipment])
    decision = describe_tracking(order, bijou, paris(2025, 11, 24))
    assert decision.facts["partly_shipped"] is True
    assert decision.facts["unshipped_lines"] == [{"line_id": 2, "title": "Collier Lune"}]


def test_ready_to_ship_for_7_days_is_normal(bijou: ShopProfile) -> None:
    order = build_order(
        OrderStatus.READY_TO_SHIP, paris(2025, 11, 17, 9), status_changed_at=paris(2025, 11, 17, 9)
    )
    decision = describe_tracking(order, bijou, paris(2025, 11, 24, 18))
    assert (decision.reason_code, decision.needs_human) == ("ready_to_ship", False)


def test_ready_to_ship_for_more_than_7_days_needs_a_person(bijou: ShopProfile) -> None:
    order = build_order(
        OrderStatus.READY_TO_SHIP, paris(2025, 11, 16, 9), status_changed_at=paris(2025, 11, 16, 9)
    )
    decision = describe_tracking(order, bijou, paris(2025, 11, 24, 9))
    assert (decision.reason_code, decision.needs_human) == ("stuck_ready_to_ship", True)
    assert decision.facts["days_in_status"] == 8


def test_shipped_order_without_shipment_needs_a_person(bijou: ShopProfile) -> None:
    order = build_order(OrderStatus.SHIPPED, FRIDAY)
    assert describe_tracking(order, bijou, paris(2025, 11, 24)).reason_code == "missing_tracking"


def test_each_pre_shipping_status_has_its_reason(bijou: ShopProfile) -> None:
    order = build_order(OrderStatus.BEING_PROCESSED, FRIDAY)
    assert describe_tracking(order, bijou, paris(2025, 11, 24)).reason_code == "being_processed"
