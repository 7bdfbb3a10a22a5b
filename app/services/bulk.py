"""Set-based creation of many new records, each with its create revision.

The per-record path (``revisions.save``) builds an ORM object, flushes it and writes its
revision one at a time: right for an editor's correction, two orders of magnitude too slow
for an import of a million figures. Here the rows go in as one multi-row INSERT ... RETURNING
per page, read back by their unique keys, and their revisions in another, with exactly what the per-record path would have
written: the same columns, defaults, snapshot and changed fields (tests/test_bulk.py holds the
two side by side).
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import orjson
from pydantic_core import PydanticUndefined, to_jsonable_python
from sqlalchemy import Table, bindparam, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel

from app.models import Revision
from app.models.types import utcnow
from app.models.vocab import Action, Entity
from app.services import revisions

T = TypeVar("T")
# Rows per IN (...) list: well under SQLite's and PostgreSQL's limits on bound parameters.
CHUNK = 500


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _json_text(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def insert_rows(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    encode: dict[str, Callable[[Any], Any]] | None = None,
) -> None:
    """One executemany of ``rows`` (all with the same keys) straight on the driver's cursor.

    ``connection.execute(insert(table), rows)`` builds a parameter dictionary per row and runs
    every value through its type a call at a time: most of an import's time. Here the
    statement is compiled once, each column's bind processor is looked up once, and the
    driver gets plain tuples (or dictionaries, for a named paramstyle). The values stored are
    the same: the processors are the ones SQLAlchemy itself would apply, but where ``encode``
    names a column's own (orjson for the revision trail's JSON, the same JSON a tenth the time).
    """
    if not rows:
        return
    names = list(rows[0])
    dialect = connection.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    order = list(compiled.positiontup or ()) if compiled.positional else names
    processors = [
        (name, (encode or {}).get(name) or table.c[name].type._cached_bind_processor(dialect))
        for name in order
    ]
    if dialect.name == "postgresql":
        _copy(connection, table, order, processors, rows)
        return
    if compiled.positional:
        params: list[Any] = [
            tuple(
                row[name] if process is None else process(row[name]) for name, process in processors
            )
            for row in rows
        ]
    else:
        params = [
            {
                name: row[name] if process is None else process(row[name])
                for name, process in processors
            }
            for row in rows
        ]
    connection.exec_driver_sql(compiled.string, params)


def _copy(
    connection: Connection,
    table: Table,
    names: list[str],
    processors: list[tuple[str, Any]],
    rows: Sequence[dict[str, Any]],
) -> None:
    """PostgreSQL: the rows through COPY ... FROM STDIN, in the transaction already open.

    An executemany is a round trip per row even pipelined; COPY streams them all, and the
    constraints, defaults and triggers apply as for an INSERT."""
    quote = connection.dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in names)
    statement = f"COPY {quote(table.name)} ({columns}) FROM STDIN"
    driver = connection.connection.driver_connection
    assert driver is not None  # a live connection
    dbapi_error = connection.dialect.loaded_dbapi.Error
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [
                        row[name] if process is None else process(row[name])
                        for name, process in processors
                    ]
                )
    except dbapi_error as exc:
        # Straight from the driver: come out as SQLAlchemy's errors, as through a Session, so
        # that a row taken at the same moment (a unique slug) is an IntegrityError, a 409.
        raise DBAPIError.instance(statement, None, exc, dbapi_error) from exc


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
) -> list[tuple[int, dict[str, dict[str, Any]]]]:
    """Insert new rows and their create revisions; returns each row's id and changed fields.

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
        after = to_jsonable_python({"id": row_id, **row})
        changes = revisions.diff(None, after)
        created.append((row_id, changes))
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
                "snapshot": after,
                "changes": changes,
            }
        )
    insert_rows(
        connection,
        Revision.__table__,  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
        trail,
        encode={"snapshot": _json_text, "changes": _json_text},
    )
    return created


# Tables an import grows; their planner statistics go stale as they do.
_GROWN = ("source", "event", "figure", "attribution", "revision", "search_entry", "figure_doc")


def refresh_statistics(connection: Connection) -> list[str]:
    """PostgreSQL: ANALYZE the tables that changed by more than a tenth since their last
    analysis (autovacuum's own rule; returns their names).

    Autovacuum does this when it runs, but it may be off or behind a long import, and plans
    made on the statistics of an empty table stop using the right indexes: an import of a
    million figures ran at ~400 figures/s with none, ~800/s after one ANALYZE. Checking costs
    one read of the statistics view; SQLite plans without them."""
    if connection.dialect.name != "postgresql":
        return []
    stale = list(
        connection.execute(
            text(
                "SELECT relname FROM pg_stat_user_tables WHERE relname IN :names"
                " AND n_mod_since_analyze > 1000 + 0.1 * GREATEST(n_live_tup, 0)"
            ).bindparams(bindparam("names", expanding=True)),
            {"names": list(_GROWN)},
        ).scalars()
    )
    for name in sorted(stale):
        connection.execute(text(f"ANALYZE {connection.dialect.identifier_preparer.quote(name)}"))
    return sorted(stale)
