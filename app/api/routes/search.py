"""Full-text search over the whole dataset."""

import binascii
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from app.api import hot_query, pages, problems
from app.api.deps import in_read_session_unless, read_engine
from app.api.listing import base_url, link_header, next_url
from app.api.params import MAX_Q, Cursor, Limit, forbid_unknown_query_params, repeatable
from app.api.responses import json_response
from app.errors import InvalidParameterError
from app.schemas.common import Page
from app.schemas.search import SearchHit
from app.services.common import pagination
from app.services.common.pagination import DEFAULT_LIMIT
from app.services.read import search
from app.services.read.search import PLURAL
from app.web import pages as web

router = APIRouter(
    prefix="/v1",
    tags=["search"],
    dependencies=[Depends(forbid_unknown_query_params)],
    responses=problems.responses(400, 404, 422, 503),
)


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        payload = pagination.unpack(cursor)
        offset = payload["o"]
        if isinstance(offset, int) and not isinstance(offset, bool) and 0 <= offset <= 1_000_000:
            return offset
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
        pass
    raise InvalidParameterError("cursor: not a cursor this search handed out; use the `next` link")


def _cursor(offset: int | None) -> str | None:
    if offset is None:
        return None
    return pagination.pack({"o": offset})


async def search_dataset(
    request: Request,
    response: Response,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_Q,
            description="Words to find in titles, summaries, figures' phrases, quotes, notes and source names. "
            "Every word must match; the last also as a prefix.",
            examples=["barrier troops"],
        ),
    ],
    type: Annotated[
        list[str], repeatable("Only these kinds of record: figure, event or source.", "figure")
    ] = [],  # noqa: B006
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    format: pages.PageFormat = None,
) -> Response:
    """Ranked matches, best first, each with its type and a highlighted snippet. A browser
    gets the results as a page, with the record types as links to narrow them."""
    unknown = [t for t in type if t not in PLURAL]
    if unknown:
        raise InvalidParameterError(
            f"type: unknown record type {unknown[0][:50]!r}; choose from event, figure, source"
        )
    offset = _offset(cursor)
    if pages.prefers_html(request, format):
        return await pages.page(
            request,
            lambda session, root: web.search_results(
                session, q, type, limit, offset, root, lambda n: next_url(request, _cursor(n))
            ),
        )
    return await _json(request, response, q, type, limit, offset)


async def _json(
    request: Request, response: Response, q: str, types: list[str], limit: int, offset: int
) -> Response:
    def answer(page: search.SearchPage) -> Response:
        root = base_url(request)
        items = [
            SearchHit(
                type=hit.entity,
                slug=hit.slug,
                url=f"{root}v1/{PLURAL[hit.entity]}/{hit.slug}",
                title=hit.title,
                snippet=hit.snippet,
                rank=round(hit.rank, 6),
            )
            for hit in page.hits
        ]
        url = next_url(request, _cursor(page.next_offset))
        link_header(response, url)
        return json_response(Page[SearchHit](items=items, next=url), response)

    def fresh() -> Response | None:
        page = search.search_fresh(read_engine(request), q, types, limit, offset)
        return None if page is None else answer(page)

    # The search and its page are built in one worker thread (app/api/deps.py): without a
    # Session when the index is up to date, else in one that brings it up to date.
    return await in_read_session_unless(
        request, fresh, lambda session: answer(search.search(session, q, types, limit, offset))
    )


async def _fast_search(request: Request, response: Response) -> Response | None:
    """A search for JSON with its query read in one pass (app/api/hot_query.py): what
    ``search_dataset`` answers for the same query, without FastAPI solving its parameters;
    None for any other query, which ``search_dataset`` then answers."""
    query = hot_query.search(request.query_params.multi_items())
    if query is None or pages.prefers_html(request, None):
        return None
    limit = DEFAULT_LIMIT if query.limit is None else query.limit
    offset = _offset(query.cursor)
    return await _json(request, response, query.q, query.type, limit, offset)


router.add_api_route(
    "/search",
    search_dataset,
    methods=["GET"],
    summary="Search figures, events and sources",
    response_model=Page[SearchHit],
    responses=pages.HTML_RESPONSE,
    route_class_override=hot_query.fast_route(_fast_search),
)
