"""Set-based creation of many new records, each with its create revision.

The per-record path (``revisions.save``) builds an ORM object, flushes it and writes its
revision one at a time: right for an editor's correction, two orders of magnitude too slow
for an import of a million figures. Here the rows go in as one multi-row INSERT ... RETURNING
per page, read back by their unique keys, and their revisions in another, with exactly what the per-record path would have
written: the same columns, defaults, snapshot and changed fields (tests/services/test_bulk.py holds the
two side by side).
"""

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import orjson
from pydantic_core import PydanticUndefined
from sqlalchemy import select
from sqlmodel import Session, SQLModel

from app.models import Revision
from app.models.types import utcnow
from app.models.vocab import Action, Entity
from app.services.common.batching import chunks, insert_rows
from app.services.write import revisions


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def _defaults(model: type[SQLModel]) -> dict[str, Callable[[], Any]]:
    """How each column (but the id) gets its value when a record leaves it out: the model's."""
    makers: dict[str, Callable[[], Any]] = {}
    for name, info in model.model_fields.items():
        if name == "id" or name not in model.__table__.columns:  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
            continue
        if info.default_factory is not None:
            makers[name] = info.default_factory  # type: ignore[assignment]  # the models' factories take no argument
        else:
            default = None if info.default is PydanticUndefined else info.default
            makers[name] = _constant(default)
    return makers


def create(
    session: Session,
    *,
    entity: Entity,
    model: type[SQLModel],
    records: Iterable[dict[str, Any]],
    key: tuple[str, ...],
    actor: str,
    reason: str,
) -> list[tuple[int, dict[str, Any], tuple[str, ...]]]:
    """Insert new rows and their create revisions; returns each row's id, its column values
    as written (the defaults filled in) and the names of its changed fields, in order.

    ``records`` hold column values as the per-record path would pass them to the model; a
    column left out gets the model's default, as it would there. ``key`` names unique
    columns by which the new ids are read back (``slug``; ``figure_id, position``): a
    multi-row INSERT ... RETURNING cannot promise its rows' order on SQLite.
    """
    makers = _defaults(model)
    rows = [
        {name: values[name] if name in values else make() for name, make in makers.items()}
        for values in records
    ]
    if not rows:
        return []
    session.flush()  # pending ORM writes go first: the rows below may point at them
    table = model.__table__  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
    connection = session.connection()
    insert_rows(connection, table, rows)
    first, *others = (table.c[name] for name in key)
    ids: dict[tuple[Any, ...], int] = {}
    for page in chunks(sorted({row[key[0]] for row in rows})):
        for found in connection.execute(select(table.c.id, first, *others).where(first.in_(page))):
            ids[tuple(found[1:])] = found[0]
    now = utcnow()
    created, trail = [], []
    for row in rows:
        row_id = ids[tuple(row[name] for name in key)]
        snapshot, changes, changed = create_texts({"id": row_id, **row})
        created.append((row_id, row, changed))
        trail.append(
            {
                "entity": entity.value,
                "entity_id": row_id,
                "entity_slug": row.get("slug"),
                "subject": revisions.subject(
                    entity, row_id, row.get("figure_id"), row.get("event_id")
                ),
                "version": row["version"],
                "action": Action.create.value,
                "at": now,
                "actor": actor,
                "reason": reason,
                "snapshot": snapshot,
                "changes": changes,
            }
        )
    insert_rows(
        connection,
        Revision.__table__,  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
        trail,
        encode={"snapshot": _as_is, "changes": _as_is},
    )
    return created


def _as_is(text: str) -> str:
    return text


def _jsonable(value: Any) -> str:
    """What orjson does not write itself, as ``to_jsonable_python`` writes it: a Decimal as
    its exact text (its ``str``)."""
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def create_texts(values: dict[str, Any]) -> tuple[str, str, tuple[str, ...]]:
    """A new record's revision from its column values: the snapshot's JSON, the changes'
    JSON, and the changed fields' names in order.

    The same text as ``revisions.snapshot`` and ``revisions.diff(None, ...)`` through
    ``to_jsonable_python`` and orjson (tests/services/test_bulk.py holds them equal), without
    building the JSON-ready copies a value at a time: orjson writes dates, times (UTC as
    ``Z``), enums and lists itself, and a Decimal through ``_jsonable``."""
    changes = {
        k: {"old": None, "new": v}
        for k, v in values.items()
        if v is not None and k not in revisions.UNTRACKED
    }
    snapshot = orjson.dumps(values, default=_jsonable, option=orjson.OPT_UTC_Z)
    trail = orjson.dumps(changes, default=_jsonable, option=orjson.OPT_UTC_Z)
    return snapshot.decode(), trail.decode(), tuple(sorted(changes))
