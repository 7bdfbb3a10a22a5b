"""The revision trail: every create, update and retraction is written here with who and why."""

from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from app.errors import PreconditionFailedError
from app.models import Revision
from app.models.records import Versioned
from app.models.types import utcnow
from app.models.vocab import Action, Entity

V = TypeVar("V", bound=Versioned)

# Bookkeeping columns that change on every write and so say nothing about the record itself.
UNTRACKED = frozenset({"version", "created_at", "updated_at"})


def snapshot(row: Versioned) -> dict[str, Any]:
    """The record as JSON: exact decimals as strings, dates as ISO 8601."""
    return row.model_dump(mode="json")


def diff(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Changed fields with their old and new values."""
    if before is None:  # a create: every field that has a value is new
        return {
            key: {"old": None, "new": value}
            for key, value in after.items()
            if value is not None and key not in UNTRACKED
        }
    return {
        key: {"old": before.get(key), "new": value}
        for key, value in after.items()
        if key not in UNTRACKED and before.get(key) != value
    }


def subject_of(entity: Entity, row: Versioned) -> str:
    """The record whose history a revision joins: a link of a chain joins its figure or event."""
    return subject(
        entity,
        row.id,
        getattr(row, "figure_id", None),
        getattr(row, "event_id", None),
    )


def subject(entity: Entity, row_id: int | None, figure_id: int | None, event_id: int | None) -> str:
    if entity is Entity.attribution:
        return f"figure:{figure_id}" if figure_id else f"event:{event_id}"
    return f"{entity.value}:{row_id}"


def record(
    session: Session,
    *,
    entity: Entity,
    row: Versioned,
    action: Action,
    actor: str,
    reason: str,
    before: dict[str, Any] | None = None,
) -> Revision:
    """Append one revision for ``row`` as it stands now (``row`` must already be flushed)."""
    after = {} if action is Action.delete else snapshot(row)
    assert row.id is not None  # flushed
    revision = Revision(
        entity=entity.value,
        entity_id=row.id,
        entity_slug=getattr(row, "slug", None),
        subject=subject_of(entity, row),
        version=row.version,
        action=action.value,
        at=utcnow(),
        actor=actor,
        reason=reason,
        snapshot=before if action is Action.delete and before else after,
        changes=diff(before, after),
    )
    session.add(revision)
    return revision


def save(
    session: Session,
    *,
    entity: Entity,
    model: type[V],
    existing: V | None,
    values: dict[str, Any],
    actor: str,
    create_reason: str,
    update_reason: str,
    action: Action = Action.update,
) -> tuple[V, dict[str, dict[str, Any]] | None]:
    """Create ``model`` or update ``existing`` to ``values``; write a revision only if it changed.

    Returns the row and its changed fields (``None`` when nothing changed).
    """
    if existing is None:
        row = model(**values)
        session.add(row)
        session.flush()
        rev = record(
            session, entity=entity, row=row, action=Action.create, actor=actor, reason=create_reason
        )
        return row, rev.changes
    changed = {key: value for key, value in values.items() if getattr(existing, key) != value}
    if not changed:
        return existing, None
    before = snapshot(existing)
    bump(session, existing, changed)
    rev = record(
        session,
        entity=entity,
        row=existing,
        action=action,
        actor=actor,
        reason=update_reason,
        before=before,
    )
    return existing, rev.changes


def bump(session: Session, row: Versioned, changed: dict[str, Any]) -> None:
    """Write ``changed`` and the next version in one UPDATE that only matches the version read.

    If someone else wrote the row since it was read, no row matches and nothing is written:
    two editors can never overwrite each other.
    """
    model = type(row)
    expected = row.version
    now = utcnow()
    result = session.exec(
        update(model)
        .where(col(model.id) == row.id, col(model.version) == expected)
        .values(**changed, version=expected + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise PreconditionFailedError(
            "the record changed since it was read; read it again and re-apply the change",
            current_version=expected + 1,
        )
    for key, value in {**changed, "version": expected + 1, "updated_at": now}.items():
        set_committed_value(row, key, value)
