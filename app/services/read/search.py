"""Search across figures, events and sources, ranked, with highlighted snippets."""

from dataclasses import dataclass

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
    if not fulltext.terms(q):
        raise InvalidParameterError("q: give at least one word to search for")
    limit = clamp_limit(limit)
    hits = fulltext.search(session, q, types or None, limit=limit + 1, offset=offset)
    next_offset = offset + limit if len(hits) > limit else None
    return SearchPage(hits[:limit], next_offset)
