"""The outbox of requests for the shop's platform, and polling checkpoints.

A cancellation (or a return) of an order that came from the shop's platform writes a request
into ``platform_requests`` in the same transaction; ``shop.sources.outbox`` sends it until the
platform confirms, or keeps the platform's refusal for an agent. ``source_checkpoints`` holds
how far PrestaShop polling has read.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "platform_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("platform_order_id", sa.String(length=64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index("ix_platform_requests_order_id", "platform_requests", ["order_id"])
    op.create_index("ix_platform_requests_state", "platform_requests", ["state"])
    op.create_table(
        "source_checkpoints",
        sa.Column("name", sa.String(length=48), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("source_checkpoints")
    op.drop_index("ix_platform_requests_state", table_name="platform_requests")
    op.drop_index("ix_platform_requests_order_id", table_name="platform_requests")
    op.drop_table("platform_requests")
