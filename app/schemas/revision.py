"""A revision as readers see it: who changed what, when and why."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.services.history import public_changes


class RevisionPublic(BaseModel):
    id: int = Field(examples=[42])
    entity: str = Field(
        description="source, event, figure, attribution or measure.", examples=["figure"]
    )
    slug: str | None = Field(description="The record's slug (links of a chain have none).")
    subject: str = Field(
        description="The record whose history this belongs to.", examples=["figure:1"]
    )
    version: int = Field(examples=[2])
    action: str = Field(
        description="create, update, retract or delete (a link removed from a chain)."
    )
    at: datetime = Field(description="UTC.")
    actor: str = Field(description="The key's name, or `seed`.", examples=["Desk editor"])
    reason: str = Field(examples=["The outlet corrected the figure"])
    changes: dict[str, Any] = Field(description="Each changed field with its old and new value.")

    @classmethod
    def of(cls, revision) -> "RevisionPublic":  # type: ignore[no-untyped-def]
        return cls(
            id=revision.id,
            entity=revision.entity,
            slug=revision.entity_slug,
            subject=revision.subject,
            version=revision.version,
            action=revision.action,
            at=revision.at,
            actor=revision.actor,
            reason=revision.reason,
            changes=public_changes(revision.changes),
        )


class BundleResult(BaseModel):
    changed: int = Field(description="Records created, updated or removed; 0 for a repeat.")
    changes: list[str] = Field(examples=[["create figure deserters-since-invasion"]])
