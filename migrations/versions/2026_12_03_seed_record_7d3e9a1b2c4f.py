"""seed records: what each seed file said when it was last applied

Re-seeding restored the file's values over editors' corrections. Each record a seed file
writes now keeps the hash of the file's version and the record's latest revision at that
moment, so the next run can tell "the file changed" from "someone edited it since".

Revision ID: 7d3e9a1b2c4f
Revises: 5b8e2f1c7a90
Create Date: 2026-12-03 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.types

revision: str = "7d3e9a1b2c4f"
down_revision: str | None = "5b8e2f1c7a90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "seed_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("document", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("file", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("owner", sa.Boolean(), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("applied_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seed_record")),
        sa.UniqueConstraint(
            "entity", "slug", "document", name=op.f("uq_seed_record_entity_slug_document")
        ),
    )


def downgrade() -> None:
    op.drop_table("seed_record")
