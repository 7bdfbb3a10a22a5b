"""A revision as readers see it: who changed what, when and why."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, TypeAdapter

from app.models import Revision
from app.schemas.common import ExactNumber

HIDDEN = frozenset({"full_text"})  # a document's text is too long to repeat in every change

# A stored change names other records by internal id; readers also get their slugs, under
# the name the write shape uses (`event_id` 11 -> `event` "flight").
REFERENCES = {
    "event_id": ("event", "event"),
    "measure_id": ("measure", "measure"),
    "derived_from_id": ("derived_from", "figure"),
    "parent_id": ("parent", "source"),
    "source_id": ("source", "source"),
    "figure_id": ("figure", "figure"),
}


@dataclass
class Slugs:
    """Slugs of the records that revisions name by id, as they are now."""

    by_id: dict[tuple[str, int], str] = field(default_factory=dict)

    def of(self, kind: str, row_id: Any) -> str | None:
        if not isinstance(row_id, int) or isinstance(row_id, bool):
            return None
        return self.by_id.get((kind, row_id))

    def subject(self, subject: str) -> str | None:
        kind, _, row_id = subject.partition(":")
        return self.of(kind, int(row_id)) if row_id.isdigit() else None


def public_changes(changes: dict[str, Any], slugs: Slugs | None = None) -> dict[str, Any]:
    """Changes as readers see them: long texts elided, ids of other records with their slugs."""
    shown = {
        key: ({"old": "(text)", "new": "(text)"} if key in HIDDEN else value)
        for key, value in changes.items()
    }
    if slugs is not None:
        for key, (name, kind) in REFERENCES.items():
            change = changes.get(key)
            if isinstance(change, dict) and name not in shown:
                shown[name] = {
                    "old": slugs.of(kind, change.get("old")),
                    "new": slugs.of(kind, change.get("new")),
                }
    return shown


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
