"""The rules read frozen views of an order or a promo code, built in one place from the rows."""

from __future__ import annotations

import dataclasses

import pytest

from shop.kinds import OrderStatus, ProductKind, PromoKind
from shop.policy.profile import ShopProfile
from shop.policy.resizing import decide_resizing
from shop.policy.returns import decide_return
from shop.policy.tracking import describe_tracking
from shop.policy.views import line_view, order_view, promo_code_view
from shop.store.models import Order
from tests.unit.conftest import (
    build_line,
    build_order,
    build_promo,
    build_shipment,
    build_use,
    paris,
)


def two_parcels_and_a_line_waiting() -> Order:
    ring = build_line(1, "Bague Soleil")
    chain = build_line(2, "Collier Lune", ProductKind.NECKLACE)
    studs = build_line(3, "Puces Étoile", ProductKind.EARRINGS, engraved=True)
    first = build_shipment([ring], paris(2025, 11, 3), paris(2025, 11, 5), shipment_id=7)
    second = build_shipment([chain], paris(2025, 11, 4), shipment_id=8, tracking_number="X8")
    return build_order(
        OrderStatus.SHIPPED, paris(2025, 11, 2), [ring, chain, studs], [first, second]
    )


def test_the_view_keeps_the_order_its_lines_and_its_parcels_pointing_at_each_other() -> None:
    view = order_view(two_parcels_and_a_line_waiting())
    assert (view.number, view.status, view.total_cents) == ("482913", OrderStatus.SHIPPED, 12500)
    assert [line.title for line in view.lines] == ["Bague Soleil", "Collier Lune", "Puces Étoile"]
    assert [parcel.id for parcel in view.shipments] == [7, 8]
    ring, chain, studs = view.lines
    assert ring.shipment is view.shipments[0] and chain.shipment is view.shipments[1]
    assert studs.shipment is None and studs.engraved and studs.kind == ProductKind.EARRINGS
    assert view.shipments[0].lines == (ring,) and view.shipments[1].lines == (chain,)
    assert view.shipments[0].delivered_at == paris(2025, 11, 5)


def test_the_view_cannot_be_changed_by_a_rule() -> None:
    view = order_view(two_parcels_and_a_line_waiting())
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.status = OrderStatus.CANCELLED  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.lines[0].engraved = True  # type: ignore[misc]
    assert order_view(view) is view


def test_a_rule_decides_the_same_on_the_row_and_on_its_view(bijou: ShopProfile) -> None:
    row = two_parcels_and_a_line_waiting()
    now = paris(2025, 11, 24, 10)
    assert describe_tracking(row, bijou, now) == describe_tracking(order_view(row), bijou, now)
    assert decide_return(row, bijou, now) == decide_return(order_view(row), bijou, now)


def test_the_line_to_resize_is_found_in_the_view_of_its_order(bijou: ShopProfile) -> None:
    row = two_parcels_and_a_line_waiting()
    view = order_view(row)
    ring_row = row.lines[0]
    assert line_view(row, view, ring_row) is view.lines[0]
    now = paris(2025, 11, 10, 10)
    on_rows = decide_resizing(row, ring_row, "56", bijou, now)
    assert on_rows == decide_resizing(view, view.lines[0], "56", bijou, now)
    assert on_rows.facts["title"] == "Bague Soleil"


def test_a_promo_code_view_keeps_who_used_it() -> None:
    promo = build_promo("NOEL20", kind=PromoKind.AMOUNT, value=2000, customer_id=4)
    build_use(promo, customer_id=4)
    view = promo_code_view(promo)
    assert (view.code, view.kind, view.value, view.customer_id) == (
        "NOEL20",
        PromoKind.AMOUNT,
        2000,
        4,
    )
    assert [use.customer_id for use in view.uses] == [4]
    assert view.active and view.single_use and not view.applies_to_discounted
