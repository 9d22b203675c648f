"""SQLAlchemy models of the order store: customers, orders, lines, shipments, promo codes, tickets.

The policy engine reads them as frozen views (``shop.policy.views``, built from rows that may
be detached from any session) and never queries the database itself. Money is stored in
cents, datetimes as naive UTC in the database and returned as aware UTC (see
``UTCDateTime``). The enums of the columns live in ``shop.kinds`` (pure, for every layer) and
keep their names here.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import declarative_base, relationship

from shop.kinds import OrderStatus, PaymentMethod, ProductKind, PromoKind, TicketStatus

Base: Any = declarative_base()


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC: SQLite has no time zones, PostgreSQL keeps it simple."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use aware UTC datetimes")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class Customer(Base):
    __tablename__ = "customers"

    id = Column(Integer, primary_key=True)
    email = Column(String(254), nullable=False, unique=True, index=True)
    first_name = Column(String(80), nullable=False)
    last_name = Column(String(80), nullable=False)
    postal_code = Column(String(16), nullable=True)
    loyalty_points = Column(Integer, nullable=False, default=0)

    orders = relationship("Order", back_populates="customer", order_by="Order.placed_at")


class Order(Base):
    """An order as shoppers know it. Orders brought in from the shop's platform (``shop.sources``)
    also keep where they come from, the platform's own status and when the platform last changed
    them, so that an older event never overwrites a newer one."""

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_platform_order", "platform", "platform_order_id", unique=True),
    )

    id = Column(Integer, primary_key=True)
    number = Column(String(32), nullable=False, unique=True, index=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    status = Column(Enum(OrderStatus, native_enum=False, length=32), nullable=False)
    status_changed_at = Column(UTCDateTime, nullable=False)
    placed_at = Column(UTCDateTime, nullable=False)
    payment_method = Column(Enum(PaymentMethod, native_enum=False, length=32), nullable=False)
    total_cents = Column(Integer, nullable=False)
    shipping_cents = Column(Integer, nullable=False, default=0)
    shipping_country = Column(String(2), nullable=False, default="FR")
    carrier = Column(String(32), nullable=False)
    promo_code_id = Column(Integer, ForeignKey("promo_codes.id"), nullable=True)
    cancelled_at = Column(UTCDateTime, nullable=True)
    reference = Column(String(64), nullable=True)  # as the platform shows it ("#1001")
    platform = Column(String(16), nullable=True)  # None: made here (demo data)
    platform_order_id = Column(String(64), nullable=True)
    source_updated_at = Column(UTCDateTime, nullable=True)
    source_status = Column(String(64), nullable=True)  # the platform's status, as it said it
    status_unknown = Column(Boolean, nullable=False, default=False)  # no mapping for it
    source_payment_method = Column(String(64), nullable=True)
    discounts = Column(JSON, nullable=True)  # [{"code", "amount_cents", "kind"}]

    customer = relationship("Customer", back_populates="orders")
    lines = relationship(
        "OrderLine", back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    shipments = relationship(
        "Shipment", back_populates="order", order_by="Shipment.id", cascade="all, delete-orphan"
    )
    promo_code = relationship("PromoCode")


class OrderLine(Base):
    __tablename__ = "order_lines"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False, index=True)
    shipment_id = Column(Integer, ForeignKey("shipments.id"), nullable=True)
    sku = Column(String(32), nullable=False)
    title = Column(String(200), nullable=False)
    kind = Column(Enum(ProductKind, native_enum=False, length=16), nullable=False)
    size = Column(String(8), nullable=True)
    quantity = Column(Integer, nullable=False, default=1)
    unit_price_cents = Column(Integer, nullable=False)
    engraved = Column(Boolean, nullable=False, default=False)
    made_to_measure = Column(Boolean, nullable=False, default=False)
    discounted = Column(Boolean, nullable=False, default=False)
    platform_line_id = Column(String(64), nullable=True)

    order = relationship("Order", back_populates="lines")
    shipment = relationship("Shipment", back_populates="lines")


class Shipment(Base):
    __tablename__ = "shipments"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False, index=True)
    carrier = Column(String(32), nullable=False)
    tracking_number = Column(String(64), nullable=False)
    destination_country = Column(String(2), nullable=False, default="FR")
    shipped_at = Column(UTCDateTime, nullable=False)
    delivered_at = Column(UTCDateTime, nullable=True)
    platform_shipment_id = Column(String(64), nullable=True)
    source_updated_at = Column(UTCDateTime, nullable=True)

    order = relationship("Order", back_populates="shipments")
    lines = relationship("OrderLine", back_populates="shipment")


class PromoCode(Base):
    __tablename__ = "promo_codes"

    id = Column(Integer, primary_key=True)
    code = Column(String(32), nullable=False, unique=True, index=True)
    kind = Column(Enum(PromoKind, native_enum=False, length=16), nullable=False)
    value = Column(Integer, nullable=False)  # percent, or cents for AMOUNT
    valid_from = Column(UTCDateTime, nullable=False)
    valid_until = Column(UTCDateTime, nullable=False)
    min_basket_cents = Column(Integer, nullable=False, default=0)
    single_use = Column(Boolean, nullable=False, default=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=True)  # nominative code
    applies_to_discounted = Column(Boolean, nullable=False, default=False)
    active = Column(Boolean, nullable=False, default=True)

    customer = relationship("Customer")
    uses = relationship("PromoCodeUse", back_populates="promo_code", order_by="PromoCodeUse.id")


class PromoCodeUse(Base):
    __tablename__ = "promo_code_uses"

    id = Column(Integer, primary_key=True)
    promo_code_id = Column(Integer, ForeignKey("promo_codes.id"), nullable=False, index=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=True)
    used_at = Column(UTCDateTime, nullable=False)

    promo_code = relationship("PromoCode", back_populates="uses")
    customer = relationship("Customer")


class Ticket(Base):
    """A request a human must handle: what the bot collected, what the policy decided and why."""

    __tablename__ = "tickets"

    id = Column(Integer, primary_key=True)
    number = Column(String(16), nullable=True, unique=True, index=True)
    kind = Column(String(32), nullable=False)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=True)
    conversation_id = Column(String(128), nullable=True, index=True)
    facts = Column(JSON, nullable=False, default=dict)
    outcome = Column(String(64), nullable=True)
    reason_code = Column(String(64), nullable=True)
    clause = Column(Text, nullable=True)
    priority = Column(Integer, nullable=False, default=2)  # 1 urgent, 2 normal, 3 low
    status = Column(Enum(TicketStatus, native_enum=False, length=16), nullable=False)
    assignee = Column(String(80), nullable=True)
    created_at = Column(UTCDateTime, nullable=False)
    due_at = Column(UTCDateTime, nullable=False)

    order = relationship("Order")
    customer = relationship("Customer")
