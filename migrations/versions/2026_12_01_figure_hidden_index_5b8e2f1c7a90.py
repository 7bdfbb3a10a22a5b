"""index the hidden figures by measure

The measure vocabulary counts each measure's visible figures. Reading every figure's status
took 1.5 s over a million figures; nearly all are visible, so the count is every figure of
the measure (the covering index on measure_id, id) minus the few hidden ones, which this
partial index holds. It cannot mislead a list's plan: its condition never holds for the
statuses a list asks for.

Revision ID: 5b8e2f1c7a90
Revises: cfc27d789642
Create Date: 2026-12-01 15:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b8e2f1c7a90"
down_revision: str | None = "cfc27d789642"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in app/models/figure.py (HIDDEN), frozen here: a migration must not change with the code.
HIDDEN = "status NOT IN ('published', 'corrected')"


def upgrade() -> None:
    with op.batch_alter_table("figure", schema=None) as batch_op:
        batch_op.create_index(
            "ix_figure_hidden_measure_id",
            ["measure_id"],
            unique=False,
            sqlite_where=sa.text(HIDDEN),
            postgresql_where=sa.text(HIDDEN),
        )


def downgrade() -> None:
    with op.batch_alter_table("figure", schema=None) as batch_op:
        batch_op.drop_index("ix_figure_hidden_measure_id")
