"""The one normalised order every platform maps to, before it reaches the store.

Shopify, WooCommerce and PrestaShop describe an order each in their own words; their mappers
(``shopify.py``, ``woocommerce.py``, ``prestashop.py``) all produce a ``SourceOrder``, and only
``ingest.py`` writes one into the store. Times are aware UTC, money is in cents, and a status
no mapping knows is ``None`` with the platform's raw status beside it.
"""

from __future__ import annotations

import enum
import functools
import re
from datetime import datetime, timezone
from typing import Any, Callable, ParamSpec, TypeVar

from pydantic import BaseModel, Field, ValidationError, validator

from shop.kinds import OrderStatus, PaymentMethod, ProductKind
from shop.store.repository import normalise_email

P = ParamSpec("P")
R = TypeVar("R")


class Platform(str, enum.Enum):
    SHOPIFY = "shopify"
    WOOCOMMERCE = "woocommerce"
    PRESTASHOP = "prestashop"


class SourceError(ValueError):
    """A payload or export row the ingest refuses, with the reason in plain English."""


def _aware_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("a time without its time zone")
    return value.astimezone(timezone.utc)


class _Frozen(BaseModel):
    class Config:
        frozen = True
        extra = "forbid"


class SourceCustomer(_Frozen):
    email: str
    first_name: str = ""
    last_name: str = ""
    postal_code: str | None = None

    @validator("email")
    def _email(cls, value: str) -> str:
        email = normalise_email(value)
        if email is None:
            raise ValueError(f"not an e-mail address: {value!r}")
        return email

    @validator("first_name", "last_name")
    def _name(cls, value: str) -> str:
        return " ".join(value.split())[:80]


class SourceLine(_Frozen):
    platform_line_id: str
    sku: str = ""
    title: str
    kind: ProductKind = ProductKind.OTHER
    size: str | None = None
    quantity: int = Field(ge=1)
    unit_price_cents: int = Field(ge=0)
    engraved: bool = False
    made_to_measure: bool = False
    discounted: bool = False

    @validator("title")
    def _title(cls, value: str) -> str:
        title = " ".join(value.split())
        if not title:
            raise ValueError("a line without a product title")
        return title[:200]

    @validator("sku")
    def _sku(cls, value: str) -> str:
        return value.strip()[:32]


class SourceShipment(_Frozen):
    platform_shipment_id: str
    carrier: str
    tracking_number: str
    shipped_at: datetime
    delivered_at: datetime | None = None
    updated_at: datetime
    line_ids: tuple[str, ...] = ()  # the platform's line ids in the parcel; empty: every line

    _utc = validator("shipped_at", "delivered_at", "updated_at", allow_reuse=True)(_aware_utc)

    @validator("tracking_number")
    def _tracking(cls, value: str) -> str:
        number = value.strip()
        if not number or len(number) > 64:
            raise ValueError("a tracking number of 1 to 64 characters")
        return number


class SourceDiscount(_Frozen):
    code: str
    amount_cents: int = Field(ge=0)
    kind: str = "amount"  # percent, amount, shipping: as the platform says


class SourceOrder(_Frozen):
    """One order as a platform last described it."""

    platform: Platform
    platform_order_id: str
    number: str  # what shoppers type: "1001", "XKBKNABJK"
    reference: str  # what the platform shows them: "#1001"
    customer: SourceCustomer
    created_at: datetime
    updated_at: datetime  # the platform's last change: orders events by it
    raw_status: str
    status: OrderStatus | None  # None: no mapping names raw_status (kept, flagged)
    cancelled_at: datetime | None = None
    payment_method: PaymentMethod
    raw_payment_method: str
    total_cents: int = Field(ge=0)
    shipping_cents: int = Field(default=0, ge=0)
    shipping_country: str = "FR"
    carrier: str
    lines: tuple[SourceLine, ...] = ()
    shipments: tuple[SourceShipment, ...] = ()
    discounts: tuple[SourceDiscount, ...] = ()
    notes: tuple[str, ...] = ()  # what the mapper left out, and why

    _utc = validator("created_at", "updated_at", "cancelled_at", allow_reuse=True)(_aware_utc)

    @validator("platform_order_id", "raw_status", "raw_payment_method")
    def _present(cls, value: str) -> str:
        if not str(value).strip():
            raise ValueError("missing")
        return str(value).strip()[:64]

    @validator("number")
    def _number(cls, value: str) -> str:
        number = re.sub(r"\s+", "", value).lstrip("#").upper()
        if not number or len(number) > 32:
            raise ValueError(f"an order number of 1 to 32 characters, not {value!r}")
        return number

    @validator("shipping_country")
    def _country(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z]{2}", value):
            raise ValueError(f"a two-letter country code, not {value!r}")
        return value.upper()

    @property
    def status_unknown(self) -> bool:
        return self.status is None


def build_order(**fields: Any) -> SourceOrder:
    """A ``SourceOrder``, or ``SourceError`` naming every field that is wrong."""
    try:
        return SourceOrder(**fields)
    except ValidationError as error:
        raise SourceError(reasons(error)) from None


def build_line(where: str, **fields: Any) -> SourceLine:
    """A ``SourceLine``, or ``SourceError`` naming ``where`` (the platform's field) and every
    wrong field."""
    try:
        return SourceLine(**fields)
    except ValidationError as error:
        raise SourceError(f"{where}: {reasons(error)}") from None


def reasons(error: ValidationError) -> str:
    """Every wrong field of a refused record, on one line."""
    return "; ".join(
        ".".join(str(part) for part in item["loc"]) + ": " + item["msg"] for item in error.errors()
    )


def refusing(mapper: Callable[P, R]) -> Callable[P, R]:
    """A mapper whose every refusal is a ``SourceError`` with its reasons."""

    @functools.wraps(mapper)
    def mapped(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return mapper(*args, **kwargs)
        except ValidationError as error:
            raise SourceError(reasons(error)) from None

    return mapped


class SourceFulfilment(_Frozen):
    """A parcel event on its own (Shopify's ``fulfillments/create|update``)."""

    platform: Platform
    platform_order_id: str
    shipment: SourceShipment | None  # None: nothing to store (no tracking number yet)
    note: str | None = None
