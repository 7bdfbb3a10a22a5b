"""Many rows at once: pages of ids for IN lists, one executemany straight on the driver's
cursor, and fresh planner statistics after a large write."""

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import orjson
from sqlalchemy import Table, bindparam, insert, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

T = TypeVar("T")
# Rows per IN (...) list: well under SQLite's and PostgreSQL's limits on bound parameters.
CHUNK = 500


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def json_text(value: Any) -> str | None:
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


# Tables an import grows; their planner statistics go stale as they do.
_GROWN = ("source", "event", "figure", "attribution", "revision", "search_entry", "figure_doc")


def refresh_statistics(connection: Connection) -> list[str]:
    """PostgreSQL: ANALYZE the tables that changed by more than a tenth since their last
    analysis (autovacuum's own rule; returns their names).

    Autovacuum does this when it runs, but it may be off or behind a long import, and plans
    made on the statistics of an empty table stop using the right indexes (an import of a million
    figures ran at half the rate without one ANALYZE: bench/README.md). Checking costs
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
