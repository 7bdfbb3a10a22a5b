"""Figures: filtered, sorted, keyset-paginated lists and details, each with its chain."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, exists, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.base import Executable
from sqlmodel import Session, col, select

from app.errors import InvalidParameterError, NotFoundError
from app.models import Attribution, Event, Figure, Measure, Source
from app.models.records import stored_id
from app.models.vocab import VISIBLE
from app.services.common import fulltext, lookups
from app.services.common.pagination import (
    SortKey,
    keyset_page,
    parse_sort,
)
from app.services.common.views import Link
from app.services.present import citations, versions
from app.services.read import chains, history

Derived = aliased(Figure)

SORTS: dict[str, tuple[Any, bool]] = {
    "id": (Figure.id, False),
    "slug": (Figure.slug, False),
    "value": (Figure.value, True),
    "lower_bound": (Figure.lower_bound, True),
    "upper_bound": (Figure.upper_bound, True),
    # The best known day: the first of the period, else its last (`../2024`, `/2024`).
    "period": (func.coalesce(Figure.period_earliest, Figure.period_latest), True),
    "updated_at": (Figure.updated_at, False),
    "created_at": (Figure.created_at, False),
}


@dataclass
class FigureQuery:
    measure: list[str] = field(default_factory=list)
    event: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    claimant: list[str] = field(default_factory=list)
    party: list[str] = field(default_factory=list)
    exclude_party_claims: bool = False
    qualifier: list[str] = field(default_factory=list)
    unit: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None
    value_gte: Decimal | None = None
    value_lte: Decimal | None = None
    q: str | None = None
    as_of: datetime | None = None  # answer as the dataset stood then


@dataclass(frozen=True)
class FigureView:
    figure: Figure
    event_slug: str
    event_title: str
    event_date: str | None
    measure: str
    derived_from: str | None
    chain: list[Link]
    event_version: int = 1

    @property
    def etag(self) -> str:
        f = self.figure
        return versions.etag(
            "figure", stored_id(f), f.version, related=(self.event_version,), chain=self.chain
        )

    def citation(self, style: str = "text") -> str:
        return citations.cite_figure(self.figure, self.chain, style=style)


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None
    total: int | None


@cache
def _base() -> Select[*tuple[Any, ...]]:
    """The figure's own columns and the names around it, as plain rows: a list page reads
    them, it never changes them, so loading ORM objects would be work for nothing. Built
    once (statements are immutable; ``.where()`` makes a new one)."""
    return (
        sa_select(
            Figure.__table__,  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
            col(Event.slug).label("event_slug"),
            col(Event.title).label("event_title"),
            col(Event.date).label("event_date"),
            col(Measure.slug).label("measure_slug"),
            col(Derived.slug).label("derived_slug"),
            col(Event.version).label("event_version"),
        )
        .join(Event, col(Event.id) == Figure.event_id)
        .join(Measure, col(Measure.id) == Figure.measure_id)
        .outerjoin(Derived, col(Derived.id) == Figure.derived_from_id)
    )


def _chain_has(*conditions: Any) -> Any:
    return col(Figure.id).in_(
        select(Attribution.figure_id)
        .join(Source, col(Source.id) == Attribution.source_id)
        .where(col(Attribution.figure_id).is_not(None), *conditions)
    )


def source_and_descendants(session: Session, names: list[str], param: str = "source") -> list[int]:
    """Ids of the named sources and every source under them (the MoD and its leaked reports).
    A name is a slug, a short name or an alias; one that names no source is a 400."""
    ids: set[int | None] = set(lookups.source_ids(session, param, names))
    frontier = set(ids)
    while frontier:
        children = set(
            session.exec(select(Source.id).where(col(Source.parent_id).in_(frontier))).all()
        )
        frontier = children - ids
        ids |= frontier
    return sorted(i for i in ids if i is not None)


def _known(session: Session, name: str, given: list[str], column: Any) -> None:
    """A misspelt vocabulary value (`measure=desserters`) is a 400 listing the known ones,
    not an empty list: measures are the vocabulary's, units those figures use."""
    wanted = sorted(set(given))
    # One EXISTS per value stops at the first row that has it (units have no index).
    present = session.execute(
        sa_select(*[exists().where(column == value) for value in wanted])
    ).one()
    unknown = [value for value, found in zip(wanted, present, strict=True) if not found]
    if unknown:
        known = session.exec(select(column).distinct().order_by(column)).all()
        raise InvalidParameterError(
            f"{name}: unknown value {unknown[0][:100]!r}; choose from {', '.join(known)}"
        )


@cache
def _measures_by_slug() -> Executable:
    return sa_select(col(Measure.slug), col(Measure.id)).where(
        col(Measure.slug).in_(bindparam("slugs", expanding=True))
    )


def measure_ids(session: Session, slugs: list[str]) -> list[int]:
    """Ids of these measures; a misspelt one is a 400 listing the vocabulary (as ``_known``)."""
    found: dict[str, int] = dict(
        session.connection().execute(_measures_by_slug(), {"slugs": slugs}).all()
    )
    unknown = sorted(set(slugs) - set(found))
    if unknown:
        _known(session, "measure", unknown, Measure.slug)
    return sorted(found.values())


def certainly_overlaps(
    text: Any, earliest: Any, latest: Any, date_from: date | None, date_to: date | None
) -> list[Any]:
    """SQL for app.edtf.certainly_overlaps over an EDTF column and its derived bounds.

    The derived bounds are ``None`` for an open (``..``) and an unknown (empty) end alike;
    the EDTF text tells them apart: an open end reaches any day, an unknown one only as far
    as the known end (``/2024`` may have begun in 2024, so it is not certainly before 1940).
    """
    if date_from is None and date_to is None:
        return []
    where: list[Any] = [col(text).is_not(None)]
    if date_to is not None:
        first = func.coalesce(earliest, latest)
        where.append((first <= date_to) | col(text).like("../%"))
    if date_from is not None:
        last = func.coalesce(latest, earliest)
        where.append((last >= date_from) | col(text).like("%/.."))
    return where


def _in(column: Any, values: Any) -> Any:
    """``column IN values`` with the values in one expanding parameter: ``in_`` with a list
    coerces each value into its own bound parameter, which cost more than the query."""
    return col(column).in_(bindparam(None, list(values), expanding=True))


def _filters(session: Session, query: FigureQuery) -> list[Any]:
    where: list[Any] = []
    if query.measure:
        # Ids, not a join on the slug: the figure's own index (measure_id, id) then serves
        # the filter and the keyset order together, on both engines.
        where.append(_in(Figure.measure_id, measure_ids(session, query.measure)))
    if query.event:
        where.append(_in(Figure.event_id, lookups.event_ids(session, "event", query.event)))
    if query.source:
        where.append(_chain_has(col(Source.id).in_(source_and_descendants(session, query.source))))
    if query.claimant:
        # Like `source`: the named source or any under it (the MoD and its leaked reports).
        claimants = source_and_descendants(session, query.claimant, "claimant")
        where.append(_chain_has(Attribution.position == 0, col(Source.id).in_(claimants)))
    if query.party:
        named = [p for p in query.party if p != "none"]
        conditions = []
        if named:
            conditions.append(
                _chain_has(Attribution.position == 0, col(Source.party_to_conflict).in_(named))
            )
        if "none" in query.party:
            conditions.append(
                _chain_has(Attribution.position == 0, col(Source.party_to_conflict).is_(None))
            )
        where.append(conditions[0] if len(conditions) == 1 else conditions[0] | conditions[1])
    if query.exclude_party_claims:
        where.append(
            ~_chain_has(Attribution.position == 0, col(Source.party_to_conflict).is_not(None))
        )
    if query.qualifier:
        where.append(col(Figure.qualifier).in_(query.qualifier))
    if query.unit:
        _known(session, "unit", query.unit, Figure.unit)
        where.append(col(Figure.unit).in_(query.unit))
    where.append(_in(Figure.status, query.status or VISIBLE))
    where.extend(
        certainly_overlaps(
            Figure.period,
            Figure.period_earliest,
            Figure.period_latest,
            query.date_from,
            query.date_to,
        )
    )
    if query.value_gte is not None or query.value_lte is not None:
        best = func.coalesce(Figure.value, Figure.lower_bound, Figure.upper_bound)
        if query.value_gte is not None:
            where.append(best >= query.value_gte)
        if query.value_lte is not None:
            where.append(best <= query.value_lte)
    if query.q is not None:
        if not fulltext.terms(query.q):
            raise InvalidParameterError("q: give at least one word to search for")
        where.append(col(Figure.id).in_(fulltext.matching(session, query.q, "figure")))
    return where


def views_by_id(session: Session, ids: list[int]) -> list[FigureView]:
    """Views of these figures, in id order (for stored texts and measure comparisons)."""
    if not ids:
        return []
    statement = _base().where(col(Figure.id).in_(ids)).order_by(col(Figure.id))
    return _views(session, list(session.connection().execute(statement)))


def _views(session: Session, rows: list[Any]) -> list[FigureView]:
    """Views of ``_base()`` rows; a row stands in for the figure (same attribute names)."""
    linked = chains.load(session, "figure", [row.id for row in rows])
    return [
        FigureView(
            row,
            row.event_slug,
            row.event_title,
            row.event_date,
            row.measure_slug,
            row.derived_slug,
            linked.get(row.id, []),
            row.event_version,
        )
        for row in rows
    ]


def keyset(
    session: Session,
    query: FigureQuery,
    base: Any,  # a statement, or a function of the sort keys giving one
    *,
    sort: str | None,
    limit: int,
    cursor: str | None,
    count: bool,
    page: Callable[[tuple[str, ...]], Any] | None = None,
) -> tuple[list[Any], str | None, int | None]:
    """One page of ``base`` rows matching ``query``, the next page's cursor and the count.
    ``page``, a function of the sort keys like ``base``, gives the page's own statement:
    ``base``'s columns first, then what the count does not need (stored texts)."""
    keys = parse_sort(sort, SORTS, "id", Figure.id)
    names = tuple(key.name for key in keys)
    if callable(base):
        base = base(names)
    where = _filters(session, query)
    connection = session.connection()
    return keyset_page(
        session,
        base.where(*where),
        keys,
        limit=limit,
        cursor=cursor,
        count=count,
        value_of=sort_value,
        page=page(names).where(*where) if page is not None else None,
        rows_of=lambda statement: list(connection.execute(statement).all()),
    )


def list_figures(
    session: Session,
    query: FigureQuery,
    *,
    sort: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
    count: bool = False,
) -> Page:
    """A page of figure views (records, chains and names), for the services that read them."""
    rows, next_cursor, total = keyset(
        session, query, _base(), sort=sort, limit=limit, cursor=cursor, count=count
    )
    return Page(_views(session, rows), next_cursor, total)


def _attr(column: Any) -> str:
    key: str = column.key
    return key


def sort_value(figure: Any, key: SortKey) -> Any:
    """What a cursor keeps of a figure (or its row) for one sort key (``period`` is an
    expression, the best known day)."""
    if key.name == "period":
        return (
            figure.period_earliest if figure.period_earliest is not None else figure.period_latest
        )
    return getattr(figure, _attr(key.column))


@cache
def _by_slug() -> Executable:
    """One statement for every detail read, built once: building ``_base()`` and its cache
    key cost more than the lookup itself."""
    return _base().where(col(Figure.slug) == bindparam("slug"))


def get_figure(session: Session, slug: str) -> FigureView:
    row = session.connection().execute(_by_slug(), {"slug": slug}).first()
    if row is None:
        raise NotFoundError(f"slug: no figure {slug!r}")
    return _views(session, [row])[0]


def get_figure_as_of(session: Session, slug: str, as_of: datetime) -> FigureView:
    """The figure and its chain as they stood at ``as_of``, rebuilt from the revisions.

    Names of the event, measure and sources are today's: what changes a figure's meaning
    (its numbers, words and chain) is what the revisions keep.
    """
    current = get_figure(session, slug).figure
    figure = Figure.model_validate(
        history.snapshot_at(session, "figure", stored_id(current), as_of)
    )
    chain = chains.load_at(session, "figure", stored_id(current), as_of)
    event = session.get(Event, figure.event_id)
    measure = session.get(Measure, figure.measure_id)
    origin = session.get(Figure, figure.derived_from_id) if figure.derived_from_id else None
    return FigureView(
        figure,
        event.slug if event else "",
        event.title if event else "",
        event.date if event else None,
        measure.slug if measure else "",
        origin.slug if origin else None,
        chain,
        event.version if event else 0,
    )
