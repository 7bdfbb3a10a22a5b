"""csv formulas: stored CSV rows written before text cells were escaped are dropped

A text cell that starts with = + - @ tab CR (or ') is now written with a ' in front, so that a
spreadsheet shows it rather than runs it (app/services/present/tables.py, ``escape_text``). Stored
figure texts (``figure_doc``) written before hold such cells bare and would be served as they
are. Both ways, the rows that may hold such a cell are deleted: a figure with no stored text is
rendered on the fly, correct but slower, until `sourced db upgrade` (which writes the missing
texts after migrating to the latest revision) or `sourced docs rebuild --missing` writes them.

Revision ID: 8d9a82e8d18d
Revises: 3c1f6a2d8e5b
Create Date: 2026-12-03 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8d9a82e8d18d"
down_revision: str | None = "3c1f6a2d8e5b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Any cell after the first starts after a comma, or after a comma and a quote when the
# writer quoted it. A row that has neither before one of these characters has no cell that
# the two rules write differently; one that has may not differ (`-5` in a number column),
# and is rewritten all the same: more rows than needed, never fewer.
_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
_PATTERNS = [f"%,{quote}{char}%" for quote in ("", '"') for char in _STARTS]


def _delete_rows_that_may_differ() -> None:
    names = [f"p{i}" for i in range(len(_PATTERNS))]
    where = " OR ".join(f"csv LIKE :{name}" for name in names)
    op.get_bind().execute(
        sa.text(f"DELETE FROM figure_doc WHERE {where}"), dict(zip(names, _PATTERNS, strict=True))
    )


def upgrade() -> None:
    _delete_rows_that_may_differ()


def downgrade() -> None:
    # Texts written with the escape hold `,'` or `,"'`: the older code would serve them as
    # stale, so they go too.
    _delete_rows_that_may_differ()
