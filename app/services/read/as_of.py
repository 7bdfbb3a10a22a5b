"""Lists as the dataset stood at a moment, rebuilt from the revisions.

Every record that existed at ``as_of`` is rebuilt from its latest revision at or before that
moment (and a figure's or event's chain from its links' revisions), then the same filters as
the live lists are applied to what it said then. Ordered by id, keyset-paginated; full-text
search and other sorts need the live index, so they are refused with ``as_of`` (a 400).

This reads every record's history, which suits the question it answers ("what did the
dataset say when we published?") rather than hot paths.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app import edtf
from app.errors import InvalidParameterError
from app.models import Event, Figure, Measure, Source
from app.models.vocab import VISIBLE
from app.services.common import lookups
from app.services.common.pagination import clamp_limit, decode_cursor, encode_cursor, parse_sort
from app.services.common.views import Link
from app.services.read import history
from app.services.read.events import EventQuery, EventView, get_event_as_of
from app.services.read.figures import (
    FigureQuery,
    FigureView,
    Page,
    _known,
    get_figure_as_of,
    source_and_descendants,
)
from app.services.read.sources import SourceQuery, SourceView, get_source_as_of


def _refuse_live_only(q: str | None, sort: str | None) -> None:
    if q is not None:
        raise InvalidParameterError("q: full-text search is not available with as_of")
    if sort not in (None, "", "id"):
        raise InvalidParameterError("sort: only id is available with as_of")


def _page(
    session: Session,
    kind: str,
    model: Any,
    as_of: datetime,
    limit: int,
    cursor: str | None,
    build: Callable[[str], Any],
    keep: Callable[[Any], bool],
) -> Page:
    keys = parse_sort("id", {"id": (model.id, False)}, "id", model.id)
    after_id = decode_cursor(cursor, keys)[0] if cursor else None
    limit = clamp_limit(limit)
    ids = [i for i in history.ids_at(session, kind, as_of) if after_id is None or i > after_id]
    slugs = dict(session.exec(select(model.id, model.slug).where(col(model.id).in_(ids))).all())
    items: list[Any] = []
    last_id = None
    for row_id in ids:
        view = build(slugs[row_id])
        if keep(view):
            if len(items) == limit:
                return Page(items, encode_cursor(keys, [last_id]), None)
            items.append(view)
            last_id = row_id
    return Page(items, None, None)


def _source_slugs(session: Session, named: list[str], param: str) -> set[str]:
    """The named sources and every source under them, by slug."""
    if not named:
        return set()
    ids = source_and_descendants(session, named, param)
    return set(session.exec(select(Source.slug).where(col(Source.id).in_(ids))).all())


def _claimant_party_ok(chain: list[Link], party: list[str], exclude: bool) -> bool:
    claimant_party = chain[0].source.party_to_conflict if chain else None
    if party and (claimant_party or "none") not in party:
        return False
    return not (exclude and claimant_party is not None)


def _overlaps(text: str | None, date_from: Any, date_to: Any) -> bool:
    """The live lists' date rule (open and unknown ends), on what the record said then."""
    return edtf.certainly_overlaps(text, date_from, date_to)


def list_figures(
    session: Session,
    query: FigureQuery,
    as_of: datetime,
    *,
    sort: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    _refuse_live_only(query.q, sort)
    # The same vocabulary checks as the live list: a misspelt value is a 400, not no rows.
    if query.measure:
        _known(session, "measure", query.measure, Measure.slug)
    if query.unit:
        _known(session, "unit", query.unit, Figure.unit)
    lookups.event_ids(session, "event", query.event)
    sources = _source_slugs(session, query.source, "source")
    claimants = _source_slugs(session, query.claimant, "claimant")

    def keep(view: FigureView) -> bool:
        f = view.figure
        chain = view.chain
        best = next((v for v in (f.value, f.lower_bound, f.upper_bound) if v is not None), None)
        return (
            f.status in (query.status or VISIBLE)
            and (not query.measure or view.measure in query.measure)
            and (not query.event or view.event_slug in query.event)
            and (not query.qualifier or f.qualifier in query.qualifier)
            and (not query.unit or f.unit in query.unit)
            and (not query.source or any(link.source.slug in sources for link in chain))
            and (not query.claimant or (bool(chain) and chain[0].source.slug in claimants))
            and _claimant_party_ok(chain, query.party, query.exclude_party_claims)
            and _overlaps(f.period, query.date_from, query.date_to)
            and (query.value_gte is None or (best is not None and best >= query.value_gte))
            and (query.value_lte is None or (best is not None and best <= query.value_lte))
        )

    build = lambda slug: get_figure_as_of(session, slug, as_of)  # noqa: E731
    return _page(session, "figure", Figure, as_of, limit, cursor, build, keep)


def list_events(
    session: Session,
    query: EventQuery,
    as_of: datetime,
    *,
    sort: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    _refuse_live_only(query.q, sort)
    sources = _source_slugs(session, query.source, "source")

    def keep(view: EventView) -> bool:
        e = view.event
        links = list(view.chain) + [link for f in view.figures or [] for link in f.chain]
        return (
            e.status in (query.status or VISIBLE)
            and (not query.type or e.type in query.type)
            and (not query.country or e.country in query.country)
            and all(tag in (e.tags or []) for tag in query.tag)
            and (not query.source or any(link.source.slug in sources for link in links))
            and _overlaps(e.date, query.date_from, query.date_to)
        )

    build = lambda slug: get_event_as_of(session, slug, as_of)  # noqa: E731
    return _page(session, "event", Event, as_of, limit, cursor, build, keep)


def list_sources(
    session: Session,
    query: SourceQuery,
    as_of: datetime,
    *,
    sort: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    _refuse_live_only(query.q, sort)

    def keep(view: SourceView) -> bool:
        s = view.source
        return (
            s.status in (query.status or VISIBLE)
            and (not query.kind or s.kind in query.kind)
            and (not query.party or (s.party_to_conflict or "none") in query.party)
            and (not query.country or s.country in query.country)
        )

    build = lambda slug: get_source_as_of(session, slug, as_of)  # noqa: E731
    return _page(session, "source", Source, as_of, limit, cursor, build, keep)
