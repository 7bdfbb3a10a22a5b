"""The hottest reads' query strings in one pass, ahead of FastAPI's parsing.

FastAPI validates every declared query parameter of a route on every request: for the
figures list, 23 of them through pydantic, about half of what the request costs once its page
is ready-made (bench/README.md, "Hot reads"). The reads readers make most use two or three of
them. A route built with ``fast_route`` first offers the request to its fast handler, which
reads the query string itself and answers only when every parameter in it is one it can take
exactly as FastAPI would (names, values, counts); anything else, and anything it is unsure of,
it declines (None), and the route's ordinary handler answers: validation, every 400 and 422,
and the OpenAPI document stay FastAPI's own. tests/api/test_hot_query.py holds the answers of
both equal.
"""

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from app.api.params import MAX_Q
from app.models.vocab import Status
from app.services.common.pagination import MAX_CURSOR_LENGTH, MAX_LIMIT
from app.services.read.search import PLURAL

FastHandler = Callable[[Request, Response], Awaitable[Response | None]]

# A figure's slug in its path: longer is FastAPI's 422.
MAX_SLUG = 120
_STATUSES = frozenset(status.value for status in Status)
# A limit as plain digits without a leading zero: pydantic also takes `+5`, ` 5`, `5.0` and
# `05`, which are left to it.
_LIMIT = re.compile(r"[1-9][0-9]{0,2}")


@dataclass(slots=True)
class _Paging:
    """A page's `limit` (plain digits, 1 to MAX_LIMIT) and `cursor` (at most
    MAX_CURSOR_LENGTH characters), each given at most once."""

    limit: int | None = None
    cursor: str | None = None

    def take(self, name: str, value: str) -> bool:
        """Whether ``name`` is `limit` or `cursor` and its value is taken; False for any other
        name, and for a value to leave to FastAPI."""
        if name == "limit":
            if self.limit is not None or not _LIMIT.fullmatch(value) or int(value) > MAX_LIMIT:
                return False
            self.limit = int(value)
            return True
        if name == "cursor":
            if self.cursor is not None or len(value) > MAX_CURSOR_LENGTH:
                return False
            self.cursor = value
            return True
        return False


@dataclass(frozen=True, slots=True)
class FigureList:
    """``GET /v1/figures`` by measure: what its route's parameters would have been."""

    measure: list[str]
    status: list[str]
    limit: int | None
    cursor: str | None


def figure_list(items: Sequence[tuple[str, str]]) -> FigureList | None:
    """The figure list's query (``request.query_params.multi_items()``) when it is a page by
    measure: one or more `measure`, any `status` of the vocabulary, at most one `limit` (1 to
    MAX_LIMIT) and one `cursor` (at most MAX_CURSOR_LENGTH characters), none of them empty;
    None for anything else."""
    measure: list[str] = []
    status: list[str] = []
    paging = _Paging()
    for name, value in items:
        if not value:
            return None
        if name == "measure":
            measure.append(value)
        elif name == "status":
            if value not in _STATUSES:
                return None
            status.append(value)
        elif not paging.take(name, value):
            return None
    if not measure:
        return None
    return FigureList(measure, status, paging.limit, paging.cursor)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """``GET /v1/search``: what its route's parameters would have been."""

    q: str
    type: list[str]
    limit: int | None
    cursor: str | None


def search(items: Sequence[tuple[str, str]]) -> SearchQuery | None:
    """The search's query (``request.query_params.multi_items()``) when it is one `q` (at most
    MAX_Q characters), any `type` of the three kinds, at most one `limit` (1 to MAX_LIMIT)
    and one `cursor` (at most MAX_CURSOR_LENGTH characters), none of them empty; None for
    anything else (`format` included)."""
    q: str | None = None
    types: list[str] = []
    paging = _Paging()
    for name, value in items:
        if not value:
            return None
        if name == "q":
            if q is not None or len(value) > MAX_Q:
                return None
            q = value
        elif name == "type":
            if value not in PLURAL:  # another is the route's own 400
                return None
            types.append(value)
        elif not paging.take(name, value):
            return None
    if q is None:
        return None
    return SearchQuery(q, types, paging.limit, paging.cursor)


def figure_detail(slug: str, query_string: bytes) -> str | None:
    """``GET /v1/figures/{slug}`` with no query string at all, and a slug FastAPI takes as it
    is; None for anything else."""
    if query_string or len(slug) > MAX_SLUG:
        return None
    return slug


def sub_response() -> Response:
    """The ``Response`` FastAPI hands a route to set headers on (``solve_dependencies``): no
    status and no length of its own."""
    response = Response()
    del response.headers["content-length"]
    response.status_code = None  # type: ignore[assignment]  # FastAPI's own "not set"
    return response


def fast_route(fast: FastHandler) -> type[APIRoute]:
    """A route class whose requests go to ``fast`` first, and to FastAPI's handler when it
    declines (None). Routes, documents and validates exactly as ``APIRoute``."""

    class FastRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Any]:
            full = super().get_route_handler()

            async def handler(request: Request) -> Response:
                answer = await fast(request, sub_response())
                if answer is not None:
                    return answer
                return await full(request)

            return handler

    return FastRoute
