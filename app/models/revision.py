"""Revision: the append-only trail of every create, update and retraction, with who and why."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field
from app.models.vocab import Action, Entity, in_check


class Revision(SQLModel, table=True):
    __tablename__ = "revision"
    __table_args__ = (
        CheckConstraint(in_check("entity", Entity), name="entity"),
        CheckConstraint(in_check("action", Action), name="action"),
        CheckConstraint("version >= 1", name="version_positive"),
        UniqueConstraint("entity", "entity_id", "version"),
        Index("ix_revision_at_id", "at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=16, nullable=False)
    entity_id: int = Field(nullable=False)
    entity_slug: str | None = Field(default=None, max_length=120)
    # The record whose history this revision belongs to: "figure:12" for a figure and for
    # every link of its chain, so one indexed lookup returns a figure's whole history.
    subject: str = Field(max_length=40, nullable=False, index=True)
    version: int = Field(nullable=False)
    action: str = Field(max_length=16, nullable=False)
    at: datetime = created_at_field()
    actor: str = Field(max_length=200, nullable=False)
    reason: str = Field(sa_type=Text, nullable=False)
    snapshot: dict[str, Any] = Field(sa_type=JSON, nullable=False)
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
