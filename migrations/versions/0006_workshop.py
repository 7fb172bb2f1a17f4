"""workshops: rounds, participants (device tokens stored hashed) and their submissions

Revision ID: 0006
Revises: 0007
Create Date: 2026-12-01 11:41:53.427745
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workshop",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=True),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("aggregation", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("open_round_id", sa.Integer(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["scenario_id"], ["scenario.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workshop_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "workshopparticipant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("stakeholder_group", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
        sa.UniqueConstraint("workshop_id", "display_name"),
    )
    with op.batch_alter_table("workshopparticipant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workshopparticipant_workshop_id"), ["workshop_id"], unique=False
        )

    op.create_table(
        "workshopround",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("revealed", sa.Boolean(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("frozen_scenario_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["frozen_scenario_id"], ["scenario.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workshop_id", "number"),
    )
    with op.batch_alter_table("workshopround", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workshopround_workshop_id"), ["workshop_id"], unique=False
        )

    op.create_table(
        "workshopsubmission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("submission_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["participant_id"], ["workshopparticipant.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["workshopround.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("participant_id", "submission_key"),
    )
    with op.batch_alter_table("workshopsubmission", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workshopsubmission_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workshopsubmission_round_id"), ["round_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("workshopsubmission", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshopsubmission_round_id"))
        batch_op.drop_index(batch_op.f("ix_workshopsubmission_participant_id"))

    op.drop_table("workshopsubmission")
    with op.batch_alter_table("workshopround", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshopround_workshop_id"))

    op.drop_table("workshopround")
    with op.batch_alter_table("workshopparticipant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshopparticipant_workshop_id"))

    op.drop_table("workshopparticipant")
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_workspace_id"))

    op.drop_table("workshop")
