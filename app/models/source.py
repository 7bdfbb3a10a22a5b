"""Source: who or what a claim comes from."""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Text
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, updated_at_field, version_field
from app.models.vocab import SourceKind, Status, in_check


class Source(SQLModel, table=True):
    __tablename__ = "source"
    __table_args__ = (
        CheckConstraint(in_check("kind", SourceKind), name="kind"),
        CheckConstraint(in_check("status", Status), name="status"),
        CheckConstraint("country IS NULL OR length(country) = 2", name="country"),
        CheckConstraint(
            "party_to_conflict IS NULL OR length(party_to_conflict) = 2", name="party_to_conflict"
        ),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        CheckConstraint(
            "published_earliest IS NULL OR published_latest IS NULL"
            " OR published_earliest <= published_latest",
            name="published_order",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True, nullable=False)
    name: str = Field(max_length=500, nullable=False)
    # The shorter name a newsroom writes ("RFE/RL"), and other names it goes by; citations
    # use the short name, filters and search accept every name.
    short_name: str | None = Field(default=None, max_length=120)
    aliases: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    kind: str = Field(max_length=32, nullable=False, index=True)
    parent_id: int | None = Field(default=None, foreign_key="source.id", index=True)
    website: str | None = Field(default=None, max_length=2000)
    country: str | None = Field(default=None, max_length=2)
    language: str | None = Field(default=None, max_length=35)
    party_to_conflict: str | None = Field(default=None, max_length=2, index=True)
    description: str | None = Field(default=None, sa_type=Text)
    published: str | None = Field(default=None, max_length=100)
    published_earliest: date | None = Field(default=None)
    published_latest: date | None = Field(default=None)
    full_text: str | None = Field(default=None, sa_type=Text)
    note: str | None = Field(default=None, sa_type=Text)
    status_reason: str | None = Field(default=None, sa_type=Text)
    status: str = Field(default=Status.published, max_length=16, nullable=False)
    version: int = version_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
