"""A revision as readers see it: who changed what, when and why."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, TypeAdapter

from app.models import Revision
from app.schemas.common import ExactNumber
from app.services.history import Slugs, public_changes

# Fields whose values a revision keeps as decimal text (exact): shown as the record's JSON
# shows them, as numbers.
_EXACT_NUMBER = TypeAdapter(ExactNumber)
NUMBER_FIELDS = {"figure": frozenset({"value", "lower_bound", "upper_bound"})}


def _typed(entity: str, changes: dict[str, Any]) -> dict[str, Any]:
    numbers = NUMBER_FIELDS.get(entity, frozenset())
    return {
        key: (
            {side: _number(value) for side, value in change.items()}
            if key in numbers and isinstance(change, dict)
            else change
        )
        for key, change in changes.items()
    }


def _number(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return _EXACT_NUMBER.dump_python(Decimal(value), mode="json")


class RevisionPublic(BaseModel):
    id: int = Field(examples=[42])
    entity: str = Field(
        description="source, event, figure, attribution or measure.", examples=["figure"]
    )
    slug: str | None = Field(description="The record's slug (links of a chain have none).")
    subject: str = Field(
        description="The record whose history this belongs to.", examples=["figure:1"]
    )
    subject_slug: str | None = Field(
        default=None,
        description="Slug of the record whose history this belongs to: for a link of a chain, "
        "its figure's or event's.",
        examples=["deserters-since-invasion"],
    )
    version: int = Field(examples=[2])
    action: str = Field(
        description="create, update, retract or delete (a link removed from a chain)."
    )
    at: datetime = Field(description="UTC.")
    actor: str = Field(description="The key's name, or `seed`.", examples=["Desk editor"])
    reason: str = Field(examples=["The outlet corrected the figure"])
    changes: dict[str, Any] = Field(
        description="Each changed field with its old and new value, typed as in the record "
        "(a figure's `value` and bounds are numbers). A field naming another "
        "record by id (`event_id`, `measure_id`, `source_id`, `parent_id`, `derived_from_id`, "
        "`figure_id`) comes with that record's slug, old and new, under the name without `_id` "
        "(`event`, `measure`, ...), as the record is called now.",
        examples=[
            {
                "value": {"old": 10, "new": 11},
                "event_id": {"old": 1, "new": 2},
                "event": {"old": "russian-desertions", "new": "soviet-desertions"},
            }
        ],
    )

    @classmethod
    def of(cls, revision: Revision, slugs: Slugs | None = None) -> "RevisionPublic":
        """``slugs`` (from ``history.slugs_for``) names the records the revision refers to."""
        assert revision.id is not None  # a stored revision
        return cls(
            id=revision.id,
            entity=revision.entity,
            slug=revision.entity_slug,
            subject=revision.subject,
            subject_slug=slugs.subject(revision.subject) if slugs is not None else None,
            version=revision.version,
            action=revision.action,
            at=revision.at,
            actor=revision.actor,
            reason=revision.reason,
            changes=_typed(revision.entity, public_changes(revision.changes, slugs)),
        )


class BundleResult(BaseModel):
    changed: int = Field(description="Records created, updated or removed; 0 for a repeat.")
    changes: list[str] = Field(examples=[["create figure deserters-since-invasion"]])
