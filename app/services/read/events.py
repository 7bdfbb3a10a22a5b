"""Events: filtered lists and details with their chains and figures."""

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, cast, func
from sqlmodel import Session, col, select

from app.errors import InvalidParameterError, NotFoundError
from app.models import Attribution, Event, Figure
from app.models.records import stored_id
from app.models.vocab import VISIBLE
from app.services.common import fulltext
from app.services.common.pagination import (
    SortKey,
    keyset_page,
    parse_sort,
)
from app.services.common.views import Link
from app.services.present import versions
from app.services.read import chains, history
from app.services.read.figures import (
    FigureQuery,
    FigureView,
    Page,
    certainly_overlaps,
    get_figure_as_of,
    list_figures,
    source_and_descendants,
)

SORTS: dict[str, tuple[Any, bool]] = {
    "id": (Event.id, False),
    "slug": (Event.slug, False),
    "title": (Event.title, False),
    # The best known day: the first the date can mean, else its last (`../2024`, `/2024`).
    "date": (func.coalesce(Event.date_earliest, Event.date_latest), True),
    "updated_at": (Event.updated_at, False),
}


@dataclass
class EventQuery:
    type: list[str] = field(default_factory=list)
    country: list[str] = field(default_factory=list)
    tag: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = None
    as_of: datetime | None = None  # answer as the dataset stood then


@dataclass(frozen=True)
class EventView:
    event: Event
    chain: list[Link]
    figures: list[FigureView] | None = None

    @property
    def etag(self) -> str:
        e = self.event
        figure_tags = tuple(f.etag for f in self.figures or [])
        return versions.etag(
            "event", stored_id(e), e.version, related=figure_tags, chain=self.chain
        )


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filters(session: Session, query: EventQuery) -> list[Any]:
    where: list[Any] = [col(Event.status).in_(query.status or VISIBLE)]
    if query.type:
        where.append(col(Event.type).in_(query.type))
    if query.country:
        where.append(col(Event.country).in_(query.country))
    for tag in query.tag:
        # Tags are stored as a JSON array written by json.dumps on both engines, so the
        # quoted tag appears verbatim in the column's text.
        pattern = f"%{_like_escape(json.dumps(tag))}%"
        where.append(cast(Event.tags, String).like(pattern, escape="\\"))
    if query.source:
        ids = source_and_descendants(session, query.source)
        by_chain = select(Attribution.event_id).where(col(Attribution.source_id).in_(ids))
        by_figures = (
            select(Figure.event_id)
            .join(Attribution, col(Attribution.figure_id) == Figure.id)
            .where(col(Attribution.source_id).in_(ids))
        )
        where.append(col(Event.id).in_(by_chain) | col(Event.id).in_(by_figures))
    where.extend(
        certainly_overlaps(
            Event.date, Event.date_earliest, Event.date_latest, query.date_from, query.date_to
        )
    )
    if query.q is not None:
        if not fulltext.terms(query.q):
            raise InvalidParameterError("q: give at least one word to search for")
        where.append(col(Event.id).in_(fulltext.matching(session, query.q, "event")))
    return where


def _sort_value(event: Event, key: SortKey) -> Any:
    if key.name == "date":
        return event.date_earliest if event.date_earliest is not None else event.date_latest
    return getattr(event, key.column.key)


def list_events(
    session: Session,
    query: EventQuery,
    *,
    sort: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
    count: bool = False,
) -> Page:
    keys = parse_sort(sort, SORTS, "id", Event.id)
    statement = select(Event).where(*_filters(session, query))
    rows, next_cursor, total = keyset_page(
        session, statement, keys, limit=limit, cursor=cursor, count=count, value_of=_sort_value
    )
    linked = chains.load(session, "event", [stored_id(e) for e in rows])
    return Page([EventView(e, linked.get(stored_id(e), [])) for e in rows], next_cursor, total)


def get_event(session: Session, slug: str) -> EventView:
    event = session.exec(select(Event).where(col(Event.slug) == slug)).first()
    if event is None:
        raise NotFoundError(f"slug: no event {slug!r}")
    linked = chains.load(session, "event", [stored_id(event)])
    figures = list_figures(session, FigureQuery(event=[slug]), limit=500).items
    return EventView(event, linked.get(stored_id(event), []), figures)


def get_event_as_of(session: Session, slug: str, as_of: datetime) -> EventView:
    """The event, its chain and its figures as they stood at ``as_of``."""
    current = get_event(session, slug).event
    event = Event.model_validate(history.snapshot_at(session, "event", stored_id(current), as_of))
    chain = chains.load_at(session, "event", stored_id(current), as_of)
    figure_ids = [
        row_id
        for row_id in history.ids_at(session, "figure", as_of)
        if history.snapshot_at(session, "figure", row_id, as_of)["event_id"] == current.id
    ]
    slugs = session.exec(select(Figure.slug).where(col(Figure.id).in_(figure_ids))).all()
    figures = [get_figure_as_of(session, figure_slug, as_of) for figure_slug in sorted(slugs)]
    visible = [f for f in figures if f.figure.status in VISIBLE]
    return EventView(event, chain, visible)
