"""ids never reused: AUTOINCREMENT on SQLite; the audit trail belongs to its workspace

SQLite hands out the highest deleted id again unless the table is declared AUTOINCREMENT, so a
new workspace could take a deleted one's id (and read its audit trail). Every table with an
integer id is rebuilt with AUTOINCREMENT (batch mode: copy, drop, rename; `migrations/env.py`
turns foreign keys off for the run, so dropping a parent does not cascade, and checks them). PostgreSQL's sequences never hand an id out
twice: there this revision only adds the audit trail's foreign key.

`auditentry.workspace_id` now references `workspace.id` with ON DELETE CASCADE: deleting a
workspace deletes its trail. Entries left behind by workspaces deleted before this revision
are removed first (the foreign key could not hold otherwise, and nobody may read them).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 15:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "workspace",
    "user",
    "networksource",
    "networkfunctiontag",
    "networkfamilylink",
    "networkeligibilityrule",
    "membership",
    "outcome",
    "assessment",
    "scenario",
    "customcriterion",
    "customgate",
    "gateanswer",
    "decision",
    "auditentry",
    "workspacemember",
    "apitoken",
    "loginattempt",
    "passwordreset",
    "workshop",
    "workshopround",
    "workshopparticipant",
    "workshopsubmission",
)
"""Every table whose primary key is an integer id of its own."""
FK_NAME = "fk_auditentry_workspace_id_workspace"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _rebuild(autoincrement: bool) -> None:
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ) as batch_op:
            if table == "auditentry" and autoincrement:
                batch_op.create_foreign_key(
                    FK_NAME, "workspace", ["workspace_id"], ["id"], ondelete="CASCADE"
                )
            if table == "auditentry" and not autoincrement:
                batch_op.drop_constraint(FK_NAME, type_="foreignkey")


def upgrade() -> None:
    op.execute(
        "DELETE FROM auditentry WHERE workspace_id IS NOT NULL "
        "AND workspace_id NOT IN (SELECT id FROM workspace)"
    )
    if not _sqlite():
        op.create_foreign_key(
            FK_NAME, "auditentry", "workspace", ["workspace_id"], ["id"], ondelete="CASCADE"
        )
        return
    _rebuild(autoincrement=True)


def downgrade() -> None:
    if not _sqlite():
        op.drop_constraint(FK_NAME, "auditentry", type_="foreignkey")
        return
    _rebuild(autoincrement=False)
