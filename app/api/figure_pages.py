"""The figure list's hot shape on the driver: a page by measure (and status), in id order.

``GET /v1/figures?measure=…&limit=…`` and its `next` pages are the list readers walk most.
Through the Session, building and compiling its statements cost several times what SQLite
spends running them. Here each shape (how many measures, how many statuses, first page or
not) is built once from the same SQLAlchemy pieces as the full path (``figure_docs``'s page
statement, ``pagination``'s order and cursor clauses), compiled for the engine's dialect,
and then only run on a pooled driver connection (``app.db.driver_reader``).

Anything this does not answer exactly as the full path would, it leaves to the full path
by returning None: an unknown measure (a 400 there), a figure without its stored text (it
is rendered there), a cursor this list did not hand out (a 400 there). A test holds every
answer of it equal to the full path's (tests/api/test_figure_pages.py).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Dialect, Engine
from sqlmodel import col

from app.db import driver_reader, driver_rows
from app.errors import InvalidParameterError
from app.models import Figure, Measure
from app.services.common.pagination import (
    after,
    clamp_limit,
    decode_cursor,
    encode_cursor,
    order_by,
    parse_sort,
)
from app.services.derived import figure_docs
from app.services.read import figures

# The list's default order, the only one taken here: by id (``figures.keyset``'s default).
_KEYS = parse_sort(None, figures.SORTS, "id", Figure.id)
_NAMES = tuple(key.name for key in _KEYS)
# A page read on the event loop stops after this and is read again in a thread
# (``deps.in_read_loop``): a page by measure takes about a tenth of it, unless its statuses
# are rare among the measure's figures and the index scan walks past many.
ON_LOOP_SECONDS = 0.002
# More measures (or statuses) than this are rare enough to leave to the full path (one
# compiled statement per count is kept).
MAX_VALUES = 8


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A statement compiled for one dialect: its SQL and how its parameters are passed."""

    sql: str
    compiled: Any

    def parameters(self, values: dict[str, Any]) -> Any:
        params = self.compiled.construct_params(values)
        if self.compiled.positional:
            return tuple(params[name] for name in self.compiled.positiontup)
        return params


def _compile(statement: Any, dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    return _Compiled(compiled.string, compiled)


@lru_cache(maxsize=16)
def _measure_ids(dialect: Dialect, n: int) -> _Compiled:
    """``figures.measure_ids``'s lookup with ``n`` slugs."""
    slugs: list[Any] = [bindparam(f"m{i}") for i in range(n)]
    return _compile(sa_select(col(Measure.id)).where(col(Measure.slug).in_(slugs)), dialect)


@lru_cache(maxsize=64)
def _page(dialect: Dialect, measures: int, statuses: int, first: bool) -> _Compiled:
    """The full path's page statement (``figure_docs.list_stored`` through ``figures.keyset``
    and ``keyset_page``) for this shape, with every value a parameter."""
    statement = figure_docs.with_texts(dialect.name, figure_docs.keys_only(_NAMES)).where(
        col(Figure.measure_id).in_([bindparam(f"m{i}", type_=Integer) for i in range(measures)]),
        col(Figure.status).in_([bindparam(f"s{i}") for i in range(statuses)]),
    )
    if not first:
        statement = statement.where(after(_KEYS, [bindparam("after", type_=Integer)]))
    limit = bindparam("limit", type_=Integer)
    return _compile(statement.order_by(*order_by(_KEYS)).limit(limit), dialect)


def _rows(engine: Engine, connection: Any, statement: _Compiled, values: dict[str, Any]) -> Any:
    return driver_rows(engine, connection, statement.sql, statement.parameters(values))


def page(
    engine: Engine,
    measures: Sequence[str],
    statuses: Sequence[str],
    limit: int,
    cursor: str | None,
) -> figures.Page | None:
    """A page of figures of these measures and statuses as their stored texts, as
    ``figure_docs.list_stored`` gives it; None where the full path must answer."""
    if not measures or len(set(measures)) > MAX_VALUES or len(statuses) > MAX_VALUES:
        return None
    values: dict[str, Any] = {}
    if cursor:
        try:
            (values["after"],) = decode_cursor(cursor, _KEYS)
        except InvalidParameterError:
            return None
    slugs = sorted(set(measures))
    statuses = sorted(set(statuses))
    limit = clamp_limit(limit)
    dialect = engine.dialect
    with driver_reader(engine) as connection:
        if dialect.name == "sqlite":
            # One snapshot for both statements, as the Session's transaction gives the full
            # path; the pool rolls it back when it takes the connection back.
            driver_rows(engine, connection, "BEGIN", ())
        found = _rows(
            engine,
            connection,
            _measure_ids(dialect, len(slugs)),
            {f"m{i}": slug for i, slug in enumerate(slugs)},
        )
        if len(found) != len(slugs):
            return None  # an unknown measure: the full path's 400 names the known ones
        ids = sorted(row[0] for row in found)
        values |= {f"m{i}": id_ for i, id_ in enumerate(ids)}
        values |= {f"s{i}": status for i, status in enumerate(statuses)}
        values["limit"] = limit + 1
        rows = _rows(
            engine, connection, _page(dialect, len(ids), len(statuses), not cursor), values
        )
    # id, slug, then the stored body, CSV row and ETag (``figure_docs.of_rows``).
    if any(row[-3] is None for row in rows):
        return None  # a figure without its stored text: the full path renders it
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(_KEYS, [rows[-1][0]])
    items = [figure_docs.Stored(row[0], row[1], row[-3], row[-2], row[-1]) for row in rows]
    return figures.Page(items, next_cursor, None)
