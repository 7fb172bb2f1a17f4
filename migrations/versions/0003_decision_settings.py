"""decision settings per workspace (bars, switching costs, overlap penalty, evidence threshold,
cost reference levels, calendar feed token)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "decisionsettings",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("join_bar", sa.Float(), nullable=False),
        sa.Column("leave_bar", sa.Float(), nullable=False),
        sa.Column("join_cost", sa.Float(), nullable=False),
        sa.Column("leave_cost", sa.Float(), nullable=False),
        sa.Column("overlap_penalty", sa.Float(), nullable=False),
        sa.Column("evidence_threshold", sa.Float(), nullable=False),
        sa.Column("fee_reference_minor", sa.BigInteger(), nullable=True),
        sa.Column("hours_reference", sa.Integer(), nullable=True),
        sa.Column(
            "calendar_token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workspace_id"),
    )


def downgrade() -> None:
    op.drop_table("decisionsettings")
