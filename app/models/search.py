"""SearchEntry: one searchable text per source, event and figure.

The full-text index over it is engine-specific and owned by the migrations: an FTS5 table
(``search_fts``) on SQLite, a generated ``tsv`` column with a GIN index on PostgreSQL.
"""

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class SearchEntry(SQLModel, table=True):
    __tablename__ = "search_entry"
    __table_args__ = (UniqueConstraint("entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=16, nullable=False)
    entity_id: int = Field(nullable=False)
    slug: str = Field(max_length=120, nullable=False)
    title: str = Field(sa_type=Text, nullable=False)
    body: str = Field(sa_type=Text, nullable=False, default="")
