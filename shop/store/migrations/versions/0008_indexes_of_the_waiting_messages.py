"""The recovery pass's reads stay small: partial indexes on desk_messages.

Every few seconds each desk looks for shopper messages the bot has not received
(``relayed`` false) and for claims older than their lease (``relay_claimed_at`` set). Without
an index both read the whole transcript table, which only grows. Each index holds only the
rows those reads want, a handful at any time.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _only_where(condition: str) -> dict[str, Any]:
    return {"postgresql_where": sa.text(condition), "sqlite_where": sa.text(condition)}


def upgrade() -> None:
    false = "false" if op.get_bind().dialect.name == "postgresql" else "0"
    op.create_index(
        "ix_desk_messages_waiting",
        "desk_messages",
        ["conversation_id", "id"],
        **_only_where(f"relayed IS {false}"),
    )
    op.create_index(
        "ix_desk_messages_claimed",
        "desk_messages",
        ["relay_claimed_at"],
        **_only_where("relay_claimed_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_desk_messages_claimed", table_name="desk_messages")
    op.drop_index("ix_desk_messages_waiting", table_name="desk_messages")
