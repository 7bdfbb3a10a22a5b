"""source short names: the shorter name a newsroom writes, and other names a source goes by

Citations name a source by its short name ("RFE/RL"); the `source` and `claimant` filters and
search accept the short name and every alias as well as the slug.

Revision ID: 3c1f6a2d8e5b
Revises: 7d3e9a1b2c4f
Create Date: 2026-12-03 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "3c1f6a2d8e5b"
down_revision: str | None = "7d3e9a1b2c4f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("short_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True)
        )
        # Existing sources have no other names: an empty list, which the model then writes.
        batch_op.add_column(
            sa.Column("aliases", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.alter_column("aliases", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_column("aliases")
        batch_op.drop_column("short_name")
