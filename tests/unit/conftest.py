"""Factories for in-memory orders, lines, shipments and promo codes, plus the two shop profiles
and edited copies of them.

Nothing here touches a database: the policy engine works on detached model objects.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

import pytest
import yaml

from shop.clock import FixedClock
from shop.policy.profile import ShopProfile, load_profile
from shop.store.models import (
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    ProductKind,
    PromoCode,
    PromoCodeUse,
    PromoKind,
    Shipment,
)

SHOPS = Path(__file__).resolve().parents[2] / "knowledge" / "shops"
PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A Paris wall time as an aware datetime (the policy converts it to UTC itself)."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def edited_profile(
    folder: Path, edit: Callable[[dict[str, Any]], None], shop: str = "bijou_eclat"
) -> Path:
    """A copy of ``shop``'s profile changed by ``edit``, written as ``folder/shop.yml`` in the
    profile's own key order (so a refusal's line number points at the edited key)."""
    data = yaml.safe_load((SHOPS / f"{shop}.yml").read_text(encoding="utf-8"))
    edit(data)
    path = folder / "shop.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def bijou() -> ShopProfile:
    return load_profile(SHOPS / "bijou_eclat.yml")


@pytest.fixture(scope="session")
def ocre() -> ShopProfile:
    return load_profile(SHOPS / "maison_ocre.yml")


@pytest.fixture
def clock() -> FixedClock:
    """Monday 24 November 2025, 10:00 in Paris."""
    return FixedClock(paris(2025, 11, 24, 10))


def build_line(
    line_id: int = 1,
    title: str = "Bague Soleil",
    kind: ProductKind = ProductKind.RING,
    **fields: Any,
) -> OrderLine:
    values: dict[str, Any] = {
        "sku": f"SKU{line_id}",
        "quantity": 1,
        "unit_price_cents": 12500,
        "engraved": False,
        "made_to_measure": False,
        "discounted": False,
        "size": "54" if kind == ProductKind.RING else None,
    }
    values.update(fields)
    return OrderLine(id=line_id, title=title, kind=kind, **values)


def build_shipment(
    lines: list[OrderLine],
    shipped_at: datetime,
    delivered_at: datetime | None = None,
    carrier: str = "colissimo",
    country: str = "FR",
    shipment_id: int = 1,
    tracking_number: str = "6A12345678901",
) -> Shipment:
    return Shipment(
        id=shipment_id,
        carrier=carrier,
        tracking_number=tracking_number,
        destination_country=country,
        shipped_at=shipped_at,
        delivered_at=delivered_at,
        lines=lines,
    )


def build_order(
    status: OrderStatus,
    placed_at: datetime,
    lines: list[OrderLine] | None = None,
    shipments: list[Shipment] | None = None,
    payment_method: PaymentMethod = PaymentMethod.CARD,
    status_changed_at: datetime | None = None,
    carrier: str = "colissimo",
    country: str = "FR",
    number: str = "482913",
    total_cents: int = 12500,
) -> Order:
    return Order(
        id=1,
        number=number,
        customer_id=1,
        status=status,
        status_changed_at=status_changed_at or placed_at,
        placed_at=placed_at,
        payment_method=payment_method,
        total_cents=total_cents,
        shipping_cents=0,
        shipping_country=country,
        carrier=carrier,
        lines=lines if lines is not None else [build_line()],
        shipments=shipments or [],
    )


def build_delivered_order(
    delivered_at: datetime | None, lines: list[OrderLine] | None = None, **fields: Any
) -> Order:
    """An order whose single shipment holds every line, delivered at ``delivered_at``."""
    lines = lines if lines is not None else [build_line()]
    shipped_at = (delivered_at or paris(2025, 11, 3)) - timedelta(days=2)
    shipment = build_shipment(lines, shipped_at=shipped_at, delivered_at=delivered_at)
    return build_order(
        OrderStatus.DELIVERED, shipped_at - timedelta(days=1), lines, [shipment], **fields
    )


def build_customer(customer_id: int = 1, email: str = "lea@example.fr") -> Customer:
    return Customer(id=customer_id, email=email, first_name="Léa", last_name="Martin")


def build_promo(code: str = "BIENVENUE10", **fields: Any) -> PromoCode:
    values: dict[str, Any] = {
        "id": 1,
        "kind": PromoKind.PERCENT,
        "value": 10,
        "valid_from": paris(2025, 1, 1, 0),
        "valid_until": paris(2025, 12, 31, 23, 59),
        "min_basket_cents": 0,
        "single_use": True,
        "customer_id": None,
        "applies_to_discounted": False,
        "active": True,
    }
    values.update(fields)
    return PromoCode(code=code, **values)


def build_use(promo: PromoCode, customer_id: int) -> PromoCodeUse:
    return PromoCodeUse(customer_id=customer_id, used_at=paris(2025, 3, 1), promo_code=promo)


@pytest.fixture
def make_line() -> Callable[..., OrderLine]:
    return build_line


@pytest.fixture
def make_shipment() -> Callable[..., Shipment]:
    return build_shipment


@pytest.fixture
def make_order() -> Callable[..., Order]:
    return build_order


@pytest.fixture
def make_delivered_order() -> Callable[..., Order]:
    return build_delivered_order


@pytest.fixture
def make_customer() -> Callable[..., Customer]:
    return build_customer


@pytest.fixture
def make_promo() -> Callable[..., PromoCode]:
    return build_promo


@pytest.fixture
def make_use() -> Callable[..., PromoCodeUse]:
    return build_use
