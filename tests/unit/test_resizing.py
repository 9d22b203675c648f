"""Resizing: only rings, bracelets and watch straps; return in window, quote outside it."""

from __future__ import annotations

import pytest

from shop.policy.profile import ShopProfile
from shop.policy.resizing import decide_resizing
from shop.store.models import OrderStatus, ProductKind
from tests.unit.conftest import build_delivered_order, build_line, build_order, paris

DELIVERED = paris(2025, 11, 3, 15)


def _decide(profile: ShopProfile, wanted: object, now=paris(2025, 11, 10), **line_fields):  # type: ignore[no-untyped-def]
    line = build_line(**line_fields)
    order = build_delivered_order(DELIVERED, [line])
    return decide_resizing(order, line, wanted, profile, now)


@pytest.mark.parametrize("kind", [ProductKind.EARRINGS, ProductKind.NECKLACE, ProductKind.PENDANT])
def test_kind_that_cannot_be_resized(bijou: ShopProfile, kind: ProductKind) -> None:
    assert _decide(bijou, "52", kind=kind).reason_code == "not_resizable"


@pytest.mark.parametrize("wanted", ["47", "71", "grande", "", "52,5"])
def test_ring_size_outside_48_70_or_not_a_number_is_invalid(
    bijou: ShopProfile, wanted: str
) -> None:
    decision = _decide(bijou, wanted)
    assert decision.reason_code == "invalid_size"
    assert (decision.facts["ring_size_min"], decision.facts["ring_size_max"]) == (48, 70)


@pytest.mark.parametrize("wanted", ["48", "70", "T56", "taille 60", 52])
def test_ring_sizes_at_the_bounds_are_accepted(bijou: ShopProfile, wanted: object) -> None:
    assert _decide(bijou, wanted).reason_code == "in_window"


def test_inside_return_window_means_return_for_resizing(bijou: ShopProfile) -> None:
    decision = _decide(bijou, "56")
    assert (decision.outcome, decision.needs_human) == ("return_for_resizing", True)
    assert decision.facts["extra_cost_possible"] and decision.facts["reorder_if_impossible"]


def test_outside_return_window_means_after_sales_quote(bijou: ShopProfile) -> None:
    decision = _decide(bijou, "56", now=paris(2025, 11, 18))
    assert (decision.outcome, decision.reason_code) == ("after_sales_quote", "window_passed")
    assert decision.needs_human


def test_ocre_window_of_30_days_still_allows_return_on_day_20(ocre: ShopProfile) -> None:
    assert _decide(ocre, "56", now=paris(2025, 11, 23)).outcome == "return_for_resizing"


def test_engraved_ring_goes_to_after_sales_quote(bijou: ShopProfile) -> None:
    decision = _decide(bijou, "56", engraved=True)
    assert (decision.outcome, decision.reason_code) == ("after_sales_quote", "engraved")


def test_bracelet_accepts_a_wrist_size_in_cm(bijou: ShopProfile) -> None:
    decision = _decide(bijou, "17,5 cm", kind=ProductKind.BRACELET)
    assert decision.reason_code == "in_window" and decision.facts["wanted_size"] == "17,5"


def test_not_delivered_ring_cannot_be_resized_yet(bijou: ShopProfile) -> None:
    line = build_line()
    order = build_order(OrderStatus.BEING_PREPARED, paris(2025, 11, 3), [line])
    decision = decide_resizing(order, line, "56", bijou, paris(2025, 11, 4))
    assert decision.reason_code == "not_delivered_yet"


def test_delivered_ring_without_delivery_date_goes_to_a_person(bijou: ShopProfile) -> None:
    line = build_line()
    order = build_delivered_order(None, [line])
    decision = decide_resizing(order, line, "56", bijou, paris(2025, 11, 4))
    assert (decision.reason_code, decision.needs_human) == ("missing_delivery_date", True)
