"""Baseline: the store as the release before the learning loop left it (commit 7605cbd).

A database that release made (tables, no ``alembic_version``) is stamped here by
``shop.store.migrate``; a new one is built by this revision and the ones after it.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=128), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_audit_events_at"), "audit_events", ["at"], unique=False)
    op.create_index(op.f("ix_audit_events_target"), "audit_events", ["target"], unique=False)
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("first_name", sa.String(length=80), nullable=False),
        sa.Column("last_name", sa.String(length=80), nullable=False),
        sa.Column("postal_code", sa.String(length=16), nullable=True),
        sa.Column("loyalty_points", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_customers_email"), "customers", ["email"], unique=True)
    op.create_table(
        "desk_agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_desk_agents_username"), "desk_agents", ["username"], unique=True)
    op.create_table(
        "desk_conversations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column(
            "mode",
            sa.Enum(
                "BOT",
                "WAITING_AGENT",
                "AGENT",
                "CLOSED",
                name="conversationmode",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("assignee", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_desk_conversations_updated_at"), "desk_conversations", ["updated_at"], unique=False
    )
    op.create_table(
        "desk_login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_desk_login_failures_address"), "desk_login_failures", ["address"], unique=False
    )
    op.create_index(
        op.f("ix_desk_login_failures_failed_at"), "desk_login_failures", ["failed_at"], unique=False
    )
    op.create_index(
        op.f("ix_desk_login_failures_username"), "desk_login_failures", ["username"], unique=False
    )
    op.create_table(
        "identity_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("order_number", sa.String(length=16), nullable=False),
        sa.Column("email_digest", sa.String(length=32), nullable=False),
        sa.Column("client_digest", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_identity_failures_client_at", "identity_failures", ["client_digest", "at"], unique=False
    )
    op.create_index(
        "ix_identity_failures_email_at", "identity_failures", ["email_digest", "at"], unique=False
    )
    op.create_index(
        "ix_identity_failures_number_at", "identity_failures", ["order_number", "at"], unique=False
    )
    op.create_table(
        "desk_agent_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["desk_conversations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_desk_agent_notes_conversation_id"),
        "desk_agent_notes",
        ["conversation_id"],
        unique=False,
    )
    op.create_table(
        "desk_console_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["desk_agents.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_desk_console_sessions_agent_id"),
        "desk_console_sessions",
        ["agent_id"],
        unique=False,
    )
    op.create_table(
        "desk_handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("note", sa.JSON(), nullable=False),
        sa.Column("ticket_number", sa.String(length=16), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=80), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["desk_conversations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_desk_handoffs_closed_at"), "desk_handoffs", ["closed_at"], unique=False
    )
    op.create_index(
        op.f("ix_desk_handoffs_conversation_id"), "desk_handoffs", ["conversation_id"], unique=False
    )
    op.create_index(
        op.f("ix_desk_handoffs_ticket_number"), "desk_handoffs", ["ticket_number"], unique=False
    )
    op.create_table(
        "desk_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column(
            "author",
            sa.Enum(
                "SHOPPER",
                "BOT",
                "AGENT",
                "SYSTEM",
                name="messageauthor",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("agent_username", sa.String(length=80), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("payload", sa.String(length=200), nullable=True),
        sa.Column("buttons", sa.JSON(), nullable=True),
        sa.Column("intent", sa.String(length=120), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("relayed", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["desk_conversations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_desk_messages_conversation_id"), "desk_messages", ["conversation_id"], unique=False
    )
    op.create_index(op.f("ix_desk_messages_intent"), "desk_messages", ["intent"], unique=False)
    op.create_table(
        "promo_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("PERCENT", "AMOUNT", name="promokind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.DateTime(), nullable=False),
        sa.Column("valid_until", sa.DateTime(), nullable=False),
        sa.Column("min_basket_cents", sa.Integer(), nullable=False),
        sa.Column("single_use", sa.Boolean(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("applies_to_discounted", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_promo_codes_code"), "promo_codes", ["code"], unique=True)
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=6), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "AWAITING_PAYMENT",
                "PAYMENT_AUTHORISED",
                "BEING_PROCESSED",
                "BEING_PREPARED",
                "READY_TO_SHIP",
                "SHIPPED",
                "DELIVERED",
                "RETURNED",
                "REFUNDED",
                "CANCELLED",
                name="orderstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("status_changed_at", sa.DateTime(), nullable=False),
        sa.Column("placed_at", sa.DateTime(), nullable=False),
        sa.Column(
            "payment_method",
            sa.Enum(
                "CARD",
                "PAYPAL",
                "BANK_TRANSFER",
                "CHEQUE",
                "INSTALMENTS_3X",
                "INSTALMENTS_4X",
                name="paymentmethod",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("shipping_cents", sa.Integer(), nullable=False),
        sa.Column("shipping_country", sa.String(length=2), nullable=False),
        sa.Column("carrier", sa.String(length=32), nullable=False),
        sa.Column("promo_code_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
        ),
        sa.ForeignKeyConstraint(
            ["promo_code_id"],
            ["promo_codes.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_orders_number"), "orders", ["number"], unique=True)
    op.create_table(
        "promo_code_uses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("promo_code_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("used_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
        ),
        sa.ForeignKeyConstraint(
            ["promo_code_id"],
            ["promo_codes.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_promo_code_uses_promo_code_id"), "promo_code_uses", ["promo_code_id"], unique=False
    )
    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=32), nullable=False),
        sa.Column("tracking_number", sa.String(length=64), nullable=False),
        sa.Column("destination_country", sa.String(length=2), nullable=False),
        sa.Column("shipped_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_shipments_order_id"), "shipments", ["order_id"], unique=False)
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.String(length=128), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=64), nullable=True),
        sa.Column("reason_code", sa.String(length=64), nullable=True),
        sa.Column("clause", sa.Text(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "OPEN", "IN_PROGRESS", "CLOSED", name="ticketstatus", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("assignee", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_tickets_conversation_id"), "tickets", ["conversation_id"], unique=False
    )
    op.create_index(op.f("ix_tickets_number"), "tickets", ["number"], unique=True)
    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=True),
        sa.Column("sku", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "RING",
                "BRACELET",
                "WATCH",
                "EARRINGS",
                "NECKLACE",
                "PENDANT",
                "OTHER",
                name="productkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("size", sa.String(length=8), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_cents", sa.Integer(), nullable=False),
        sa.Column("engraved", sa.Boolean(), nullable=False),
        sa.Column("made_to_measure", sa.Boolean(), nullable=False),
        sa.Column("discounted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_order_lines_order_id"), "order_lines", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_order_lines_order_id"), table_name="order_lines")
    op.drop_table("order_lines")
    op.drop_index(op.f("ix_tickets_number"), table_name="tickets")
    op.drop_index(op.f("ix_tickets_conversation_id"), table_name="tickets")
    op.drop_table("tickets")
    op.drop_index(op.f("ix_shipments_order_id"), table_name="shipments")
    op.drop_table("shipments")
    op.drop_index(op.f("ix_promo_code_uses_promo_code_id"), table_name="promo_code_uses")
    op.drop_table("promo_code_uses")
    op.drop_index(op.f("ix_orders_number"), table_name="orders")
    op.drop_table("orders")
    op.drop_index(op.f("ix_promo_codes_code"), table_name="promo_codes")
    op.drop_table("promo_codes")
    op.drop_index(op.f("ix_desk_messages_intent"), table_name="desk_messages")
    op.drop_index(op.f("ix_desk_messages_conversation_id"), table_name="desk_messages")
    op.drop_table("desk_messages")
    op.drop_index(op.f("ix_desk_handoffs_ticket_number"), table_name="desk_handoffs")
    op.drop_index(op.f("ix_desk_handoffs_conversation_id"), table_name="desk_handoffs")
    op.drop_index(op.f("ix_desk_handoffs_closed_at"), table_name="desk_handoffs")
    op.drop_table("desk_handoffs")
    op.drop_index(op.f("ix_desk_console_sessions_agent_id"), table_name="desk_console_sessions")
    op.drop_table("desk_console_sessions")
    op.drop_index(op.f("ix_desk_agent_notes_conversation_id"), table_name="desk_agent_notes")
    op.drop_table("desk_agent_notes")
    op.drop_index("ix_identity_failures_number_at", table_name="identity_failures")
    op.drop_index("ix_identity_failures_email_at", table_name="identity_failures")
    op.drop_index("ix_identity_failures_client_at", table_name="identity_failures")
    op.drop_table("identity_failures")
    op.drop_index(op.f("ix_desk_login_failures_username"), table_name="desk_login_failures")
    op.drop_index(op.f("ix_desk_login_failures_failed_at"), table_name="desk_login_failures")
    op.drop_index(op.f("ix_desk_login_failures_address"), table_name="desk_login_failures")
    op.drop_table("desk_login_failures")
    op.drop_index(op.f("ix_desk_conversations_updated_at"), table_name="desk_conversations")
    op.drop_table("desk_conversations")
    op.drop_index(op.f("ix_desk_agents_username"), table_name="desk_agents")
    op.drop_table("desk_agents")
    op.drop_index(op.f("ix_customers_email"), table_name="customers")
    op.drop_table("customers")
    op.drop_index(op.f("ix_audit_events_target"), table_name="audit_events")
    op.drop_index(op.f("ix_audit_events_at"), table_name="audit_events")
    op.drop_table("audit_events")
