"""Many rows at once: pages of ids for IN lists, one executemany straight on the driver's
cursor, and fresh planner statistics after a large write."""

from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
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
        (encode or {}).get(name) or table.c[name].type._cached_bind_processor(dialect)
        for name in order
    ]
    params = _values(rows, order, processors)
    if dialect.name == "postgresql":
        _copy(connection, table, order, params)
        return
    if compiled.positional:
        connection.exec_driver_sql(compiled.string, params)
    else:
        connection.exec_driver_sql(
            compiled.string, [dict(zip(order, values, strict=True)) for values in params]
        )


def _values(
    rows: Sequence[dict[str, Any]],
    names: list[str],
    processors: list[Callable[[Any], Any] | None],
) -> list[tuple[Any, ...]]:
    """Each row's values in ``names`` order, every processed column through its processor.

    Column by column rather than value by value: the rows are read with one ``itemgetter``
    each, turned into columns and back with ``zip`` (in C), and only the columns with a
    processor are mapped. A value that is the very object before it in its column (the one
    ``now`` of a page's revisions, a default's constant, None) reuses its processed form: a
    processor is a function of its value, and the same object is the same value.
    """
    get = itemgetter(*names)
    values = [(get(row),) for row in rows] if len(names) == 1 else [get(row) for row in rows]
    if not any(processors):
        return values
    columns = list(zip(*values, strict=True))
    for index, process in enumerate(processors):
        if process is not None:
            columns[index] = tuple(_mapped(process, columns[index]))
    return list(zip(*columns, strict=True))


def _mapped(process: Callable[[Any], Any], column: Sequence[Any]) -> Iterator[Any]:
    last: Any = _NOTHING
    done: Any = None
    for value in column:
        if value is not last:
            last, done = value, process(value)
        yield done


_NOTHING = object()


def _copy(
    connection: Connection,
    table: Table,
    names: list[str],
    rows: list[tuple[Any, ...]],
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
                copy.write_row(row)
    except dbapi_error as exc:
        # Straight from the driver: come out as SQLAlchemy's errors, as through a Session, so
        # that a row taken at the same moment (a unique slug) is an IntegrityError, a 409.
        raise DBAPIError.instance(statement, None, exc, dbapi_error) from exc


# Tables an import grows; their planner statistics go stale as they do.
_GROWN = ("source", "event", "figure", "attribution", "revision", "search_entry", "figure_doc")


def analyze_grown(connection: Connection) -> None:
    """PostgreSQL: ANALYZE the tables a load grows, whatever ``pg_stat_user_tables`` says.

    Within one transaction the statistics view does not count the transaction's own writes
    (they are reported when it commits), so ``refresh_statistics`` finds nothing stale in
    the middle of a long seed; ANALYZE itself sees the rows the transaction wrote."""
    if connection.dialect.name != "postgresql":
        return
    preparer = connection.dialect.identifier_preparer
    for name in _GROWN:
        connection.execute(text(f"ANALYZE {preparer.quote(name)}"))


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
