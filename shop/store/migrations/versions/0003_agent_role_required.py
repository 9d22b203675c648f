"""Every console account has a role: desk_agents.role NOT NULL.

The learning-loop release added its columns to existing tables with ``ALTER TABLE … ADD
COLUMN``, which left ``role`` nullable there (with its default, so no row lacks it); databases
built by revision 0002 already have it NOT NULL, and this changes nothing in them.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE desk_agents SET role = 'agent' WHERE role IS NULL")
    with op.batch_alter_table("desk_agents") as batch_op:
        batch_op.alter_column(
            "role",
            existing_type=sa.String(length=16),
            existing_server_default="agent",
            nullable=False,
        )


def downgrade() -> None:
    """Nothing to undo: revision 0002 already makes the column NOT NULL."""
