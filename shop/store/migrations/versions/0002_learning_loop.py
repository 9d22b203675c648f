"""The learning loop (release ba2f9da): bot turns, review labels, ratings, console roles.

What the bot understood of each message (``bot_turns``), editors' verdicts on them
(``review_labels``), shoppers' ratings (``desk_feedback``), the topic a bot answer asks to rate
(``desk_messages.feedback_topic``) and the console roles (``desk_agents.role``): accounts made
before roles become agents (the column's server default fills existing rows).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bot_turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=160), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("faq_entry", sa.String(length=120), nullable=True),
        sa.Column("faq_score", sa.Float(), nullable=True),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("doubt", sa.String(length=16), nullable=True),
        sa.Column("next_step", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("conversation_id", "created_at", "doubt", "faq_entry", "intent"):
        op.create_index(op.f(f"ix_bot_turns_{column}"), "bot_turns", [column], unique=False)
    op.create_table(
        "review_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("turn_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=160), nullable=True),
        sa.Column("editor", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["turn_id"], ["bot_turns.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("turn_id", "undone_at"):
        op.create_index(op.f(f"ix_review_labels_{column}"), "review_labels", [column], unique=False)
    op.create_table(
        "desk_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=160), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["desk_conversations.id"]),
        sa.ForeignKeyConstraint(["message_id"], ["desk_messages.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("conversation_id", "created_at", "topic"):
        op.create_index(op.f(f"ix_desk_feedback_{column}"), "desk_feedback", [column], unique=False)
    # One rating per message that asked, even with several desk processes racing.
    op.create_index(
        op.f("ix_desk_feedback_message_id"), "desk_feedback", ["message_id"], unique=True
    )
    op.add_column(
        "desk_messages", sa.Column("feedback_topic", sa.String(length=160), nullable=True)
    )
    op.add_column(
        "desk_agents",
        sa.Column("role", sa.String(length=16), server_default="agent", nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("desk_agents") as batch_op:
        batch_op.drop_column("role")
    with op.batch_alter_table("desk_messages") as batch_op:
        batch_op.drop_column("feedback_topic")
    op.drop_table("desk_feedback")
    op.drop_table("review_labels")
    op.drop_table("bot_turns")
