"""Search across figures, events and sources, ranked, with highlighted snippets."""

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session

from app.errors import InvalidParameterError
from app.services.common import fulltext
from app.services.common.pagination import clamp_limit

PLURAL = {"figure": "figures", "event": "events", "source": "sources"}


@dataclass(frozen=True)
class SearchPage:
    hits: list[fulltext.Hit]
    next_offset: int | None


def search(session: Session, q: str, types: list[str], limit: int, offset: int) -> SearchPage:
    _check(q)
    limit = clamp_limit(limit)
    hits = fulltext.search(session, q, types or None, limit=limit + 1, offset=offset)
    return _page(hits, limit, offset)


def search_fresh(
    engine: Engine, q: str, types: list[str], limit: int, offset: int
) -> SearchPage | None:
    """``search`` without a Session when the index is up to date (``fulltext.search_fresh``);
    None where ``search`` must answer."""
    _check(q)
    limit = clamp_limit(limit)
    hits = fulltext.search_fresh(engine, q, types or None, limit=limit + 1, offset=offset)
    return None if hits is None else _page(hits, limit, offset)


def _check(q: str) -> None:
    if not fulltext.terms(q):
        raise InvalidParameterError("q: give at least one word to search for")


def _page(hits: list[fulltext.Hit], limit: int, offset: int) -> SearchPage:
    next_offset = offset + limit if len(hits) > limit else None
    return SearchPage(hits[:limit], next_offset)
