"""source website: a source's web address is `website` everywhere, `url` is only the API link

The column was `url`, as was the field in seed files and in the sources nested in a chain,
while a source record's `url` was its API link. Stored figure texts nest their chain's sources
and spell the address the old way, so they are all deleted: a figure with no stored text is
rendered on the fly, correct but slower, until `sourced db upgrade` (which writes the missing
texts after migrating) or `sourced docs rebuild --missing` writes them.

Revision ID: 4b7c2e9d1f3a
Revises: 8d9a82e8d18d
Create Date: 2026-12-03 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4b7c2e9d1f3a"
down_revision: str | None = "8d9a82e8d18d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.alter_column("url", new_column_name="website")
    op.get_bind().execute(sa.text("DELETE FROM figure_doc"))


def downgrade() -> None:
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.alter_column("website", new_column_name="url")
    op.get_bind().execute(sa.text("DELETE FROM figure_doc"))
