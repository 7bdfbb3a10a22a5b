"""Sources: lists, details with what each claims and relays."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from app.errors import InvalidParameterError, NotFoundError
from app.models import Attribution, Source
from app.models.records import stored_id
from app.models.vocab import VISIBLE
from app.services.common import fulltext
from app.services.common.pagination import (
    keyset_page,
    parse_sort,
)
from app.services.present import versions
from app.services.read import history
from app.services.read.figures import Page

SORTS: dict[str, tuple[Any, bool]] = {
    "id": (Source.id, False),
    "slug": (Source.slug, False),
    "name": (Source.name, False),
    "kind": (Source.kind, False),
    "updated_at": (Source.updated_at, False),
}
Parent = aliased(Source)


@dataclass
class SourceQuery:
    kind: list[str] = field(default_factory=list)
    party: list[str] = field(default_factory=list)
    country: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    q: str | None = None
    as_of: datetime | None = None  # answer as the dataset stood then


@dataclass(frozen=True)
class SourceView:
    source: Source
    parent_slug: str | None
    parent_name: str | None
    counts: dict[str, int] | None = None

    @property
    def etag(self) -> str:
        s = self.source
        related = tuple(sorted((self.counts or {}).items()))
        return versions.etag(
            "source", stored_id(s), s.version, related=(repr(related), repr(self.parent_name))
        )


def _filters(session: Session, query: SourceQuery) -> list[Any]:
    where: list[Any] = [col(Source.status).in_(query.status or VISIBLE)]
    if query.kind:
        where.append(col(Source.kind).in_(query.kind))
    if query.party:
        named = [p for p in query.party if p != "none"]
        condition: ColumnElement[bool] = col(Source.party_to_conflict).in_(named)
        if "none" in query.party:
            condition = condition | col(Source.party_to_conflict).is_(None)
        where.append(condition)
    if query.country:
        where.append(col(Source.country).in_(query.country))
    if query.q is not None:
        if not fulltext.terms(query.q):
            raise InvalidParameterError("q: give at least one word to search for")
        where.append(col(Source.id).in_(fulltext.matching(session, query.q, "source")))
    return where


def _base() -> Select[Source, str, str]:
    return select(Source, col(Parent.slug), col(Parent.name)).outerjoin(
        Parent, col(Parent.id) == Source.parent_id
    )


def list_sources(
    session: Session,
    query: SourceQuery,
    *,
    sort: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
    count: bool = False,
) -> Page:
    keys = parse_sort(sort, SORTS, "id", Source.id)
    rows, next_cursor, total = keyset_page(
        session,
        _base().where(*_filters(session, query)),
        keys,
        limit=limit,
        cursor=cursor,
        count=count,
        value_of=lambda row, key: getattr(row[0], key.column.key),
    )
    return Page([SourceView(*row) for row in rows], next_cursor, total)


def get_source(session: Session, slug: str) -> SourceView:
    row = session.exec(_base().where(col(Source.slug) == slug)).first()
    if row is None:
        raise NotFoundError(f"slug: no source {slug!r}")
    source = row[0]
    by_role = dict(
        session.exec(
            select(Attribution.role, func.count())
            .where(Attribution.source_id == source.id)
            .group_by(Attribution.role)
        ).all()
    )
    claims = session.exec(
        select(func.count())
        .select_from(Attribution)
        .where(Attribution.source_id == source.id, Attribution.position == 0)
    ).one()
    figures = session.exec(
        select(func.count(func.distinct(Attribution.figure_id))).where(
            Attribution.source_id == source.id
        )
    ).one()
    events = session.exec(
        select(func.count(func.distinct(Attribution.event_id))).where(
            Attribution.source_id == source.id
        )
    ).one()
    children = session.exec(
        select(func.count()).select_from(Source).where(Source.parent_id == source.id)
    ).one()
    counts = {
        "claims": claims,
        "relays": by_role.get("relay", 0),
        "publishes": by_role.get("publisher", 0),
        "quoted": by_role.get("quoted", 0),
        "figures": figures,
        "events": events,
        "children": children,
    }
    return SourceView(source, row[1], row[2], counts)


def require(session: Session, slug: str) -> None:
    if session.exec(select(Source.id).where(Source.slug == slug)).first() is None:
        raise NotFoundError(f"slug: no source {slug!r}")


def get_source_as_of(session: Session, slug: str, as_of: datetime) -> SourceView:
    """The source as it stood at ``as_of``; counts are left out (they describe today)."""
    view = get_source(session, slug)
    source = Source.model_validate(
        history.snapshot_at(session, "source", stored_id(view.source), as_of)
    )
    parent = session.get(Source, source.parent_id) if source.parent_id else None
    return SourceView(source, parent.slug if parent else None, parent.name if parent else None)


def texts_of(session: Session, slugs: list[str]) -> dict[str, str]:
    """The stored full texts of those of ``slugs`` that have one, by slug."""
    if not slugs:
        return {}
    rows = session.exec(
        select(Source.slug, Source.full_text).where(
            col(Source.slug).in_(slugs), col(Source.full_text).is_not(None)
        )
    ).all()
    return {slug: text for slug, text in rows if text is not None}
