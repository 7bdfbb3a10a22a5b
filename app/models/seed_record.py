"""SeedRecord: what a seed file said about a record when it was last applied.

Seeding is a three-way merge between the file as it was last applied (this row's ``hash``), the
file now, and the database now. A record whose file version did not change is left alone,
whatever the database holds; one whose file version changed is updated only if nobody wrote it
since (no revision after ``revision_id``); otherwise it is a conflict and nothing is written.
``owner`` marks the document that made the record: another document may declare a shared
source or measure identically, but may change a record only if it says it amends it.
"""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field


class SeedRecord(SQLModel, table=True):
    __tablename__ = "seed_record"
    __table_args__ = (UniqueConstraint("entity", "slug", "document"),)

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=16, nullable=False)
    slug: str = Field(max_length=120, nullable=False)
    document: str = Field(
        max_length=200,
        nullable=False,
        description="The file's `document` slug, or `file:<name>` for a file without one.",
    )
    file: str = Field(max_length=500, nullable=False, description="The file as last applied.")
    owner: bool = Field(nullable=False, description="Whether this document made the record.")
    hash: str = Field(max_length=64, nullable=False, description="SHA-256 of the file's record.")
    revision_id: int = Field(
        nullable=False, description="The record's latest revision when the file was applied."
    )
    applied_at: datetime = created_at_field()
