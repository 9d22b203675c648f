"""Orders from the shop's platform: where an order comes from, its platform status and time.

Shopify, WooCommerce and PrestaShop orders are brought into the store (``shop.sources``). An
order keeps its platform, the platform's id for it, the reference shoppers see, the platform's
raw status (flagged when no mapping knows it), its raw payment method, its discount codes and
when the platform last changed it; its lines and shipments keep the platform's ids. Order
numbers grow to 32 characters (PrestaShop references are letters). Existing orders are the
shop's own (platform NULL) with no unknown status.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch_op:
        batch_op.add_column(sa.Column("reference", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("platform", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("platform_order_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("source_updated_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("source_status", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("status_unknown", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("source_payment_method", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("discounts", sa.JSON(), nullable=True))
        batch_op.alter_column(
            "number",
            existing_type=sa.String(length=6),
            type_=sa.String(length=32),
            existing_nullable=False,
        )
        batch_op.create_index(
            "ix_orders_platform_order", ["platform", "platform_order_id"], unique=True
        )
    with op.batch_alter_table("orders") as batch_op:  # the default only filled existing rows
        batch_op.alter_column(
            "status_unknown",
            existing_type=sa.Boolean(),
            existing_nullable=False,
            server_default=None,
        )
    with op.batch_alter_table("order_lines") as batch_op:
        batch_op.add_column(sa.Column("platform_line_id", sa.String(length=64), nullable=True))
    with op.batch_alter_table("shipments") as batch_op:
        batch_op.add_column(sa.Column("platform_shipment_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("source_updated_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    """Back to 0004: only for a store holding no order numbers longer than six characters."""
    with op.batch_alter_table("shipments") as batch_op:
        batch_op.drop_column("source_updated_at")
        batch_op.drop_column("platform_shipment_id")
    with op.batch_alter_table("order_lines") as batch_op:
        batch_op.drop_column("platform_line_id")
    with op.batch_alter_table("orders") as batch_op:
        batch_op.drop_index("ix_orders_platform_order")
        batch_op.alter_column(
            "number",
            existing_type=sa.String(length=32),
            type_=sa.String(length=6),
            existing_nullable=False,
        )
        for column in (
            "discounts",
            "source_payment_method",
            "status_unknown",
            "source_status",
            "source_updated_at",
            "platform_order_id",
            "platform",
            "reference",
        ):
            batch_op.drop_column(column)
