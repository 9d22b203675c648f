"""Returns: window by shop-local calendar dates (day 14 in, day 15 out), per-line exclusions."""

from __future__ import annotations

from shop.policy.profile import ShopProfile
from shop.policy.returns import decide_return
from shop.store.models import OrderStatus, ProductKind
from tests.unit.conftest import (
    build_delivered_order,
    build_line,
    build_order,
    build_shipment,
    paris,
)

DELIVERED = paris(2025, 11, 3, 23, 30)  # late evening: still 3 November in Paris


def test_return_allowed_on_day_14(bijou: ShopProfile) -> None:
    decision = decide_return(build_delivered_order(DELIVERED), bijou, paris(2025, 11, 17, 23, 59))
    assert (decision.outcome, decision.reason_code) == ("allowed", "all_eligible")
    assert decision.facts["lines"][0]["window_end"] == "2025-11-17"


def test_return_refused_on_day_15(bijou: ShopProfile) -> None:
    decision = decide_return(build_delivered_order(DELIVERED), bijou, paris(2025, 11, 18, 0, 0))
    assert decision.reason_code == "none_eligible"
    assert decision.facts["lines"][0]["reason"] == "window_passed"


def test_ocre_window_is_30_days_from_delivery(ocre: ShopProfile) -> None:
    decision = decide_return(build_delivered_order(DELIVERED), ocre, paris(2025, 12, 3, 12))
    assert decision.reason_code == "all_eligible"
    assert decision.facts["shipping_paid_by"] == "customer"
    assert decide_return(build_delivered_order(DELIVERED), ocre, paris(2025, 12, 4)).outcome == (
        "refused"
    )


def test_engraved_item_is_excluded_but_the_rest_can_go_back(bijou: ShopProfile) -> None:
    lines = [build_line(1, "Bague gravée", engraved=True), build_line(2, "Bracelet Perle")]
    decision = decide_return(build_delivered_order(DELIVERED, lines), bijou, paris(2025, 11, 5))
    assert decision.reason_code == "partly_eligible"
    reasons = {
        item["line_id"]: (item["eligible"], item["reason"]) for item in decision.facts["lines"]
    }
    assert reasons == {1: (False, "engraved"), 2: (True, "ok")}


def test_made_to_measure_item_is_excluded(bijou: ShopProfile) -> None:
    lines = [build_line(1, "Alliance", made_to_measure=True)]
    decision = decide_return(build_delivered_order(DELIVERED, lines), bijou, paris(2025, 11, 5))
    assert decision.facts["lines"][0]["reason"] == "made_to_measure"


def test_earrings_are_returnable_only_if_unopened(bijou: ShopProfile) -> None:
    lines = [build_line(1, "Boucles Étoile", ProductKind.EARRINGS)]
    decision = decide_return(build_delivered_order(DELIVERED, lines), bijou, paris(2025, 11, 5))
    line = decision.facts["lines"][0]
    assert (line["eligible"], line["reason"], line["only_if_unopened"]) == (
        True,
        "earrings_hygiene",
        True,
    )


def test_order_not_delivered_yet_cannot_be_returned(bijou: ShopProfile) -> None:
    order = build_order(OrderStatus.BEING_PREPARED, paris(2025, 11, 3))
    assert decide_return(order, bijou, paris(2025, 11, 5)).reason_code == "not_delivered_yet"


def test_delivered_order_without_delivery_date_goes_to_a_person(bijou: ShopProfile) -> None:
    decision = decide_return(build_delivered_order(None), bijou, paris(2025, 11, 5))
    assert (decision.reason_code, decision.needs_human) == ("missing_delivery_date", True)


def test_partly_delivered_order_judges_each_line_on_its_parcel(bijou: ShopProfile) -> None:
    first, second = build_line(1, "Bague Soleil"), build_line(2, "Bague Lune")
    shipments = [
        build_shipment([first], paris(2025, 11, 1), delivered_at=DELIVERED),
        build_shipment([second], paris(2025, 11, 4), shipment_id=2),
    ]
    order = build_order(OrderStatus.SHIPPED, paris(2025, 10, 31), [first, second], shipments)
    decision = decide_return(order, bijou, paris(2025, 11, 5))
    reasons = [item["reason"] for item in decision.facts["lines"]]
    assert reasons == ["ok", "not_delivered_yet"] and decision.reason_code == "partly_eligible"
