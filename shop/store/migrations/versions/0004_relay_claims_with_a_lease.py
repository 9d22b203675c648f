"""A shopper message taken for the bot says when: desk_messages.relay_claimed_at.

A desk that dies (or loses the database) between handing a message to the bot and storing the
answer left it marked relayed and never answered. The claim's time lets the recovery pass hand
it to the bot again once the claim is older than its lease. Rows already relayed keep NULL:
answered.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("desk_messages") as batch_op:
        batch_op.add_column(sa.Column("relay_claimed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("desk_messages") as batch_op:
        batch_op.drop_column("relay_claimed_at")
