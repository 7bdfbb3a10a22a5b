"""Sources: who claims, relays and publishes, and everything that rests on each."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from app.api import formats, pages, problems
from app.api.deps import SessionDep
from app.api.formats import BomParam, FormatParam
from app.api.listing import STORED_FIGURES, Models, base_url
from app.api.params import (
    AsOf,
    Count,
    CountryCode,
    Cursor,
    IncludeRetracted,
    PageLimit,
    SearchText,
    country_param,
    forbid_unknown_query_params,
    repeatable,
    statuses,
)
from app.api.responses import json_response
from app.models.vocab import SourceKind, Status
from app.schemas.common import Page
from app.schemas.figure import FigurePublic
from app.schemas.source import SourcePublic
from app.services.derived import figure_docs
from app.services.read import as_of as past
from app.services.read import sources
from app.services.read.figures import FigureQuery
from app.services.read.sources import SourceQuery
from app.web import pages as web

router = APIRouter(
    prefix="/v1/sources",
    tags=["sources"],
    dependencies=[Depends(forbid_unknown_query_params)],
    responses=problems.responses(400, 404, 422, 503),
)
# The list's records: public models, made from the service's views.
LISTED = Models(SourcePublic)

SlugPath = Annotated[
    str, Path(max_length=120, description="The source's slug.", examples=["rfe-rl"])
]
FigureSort = Annotated[
    str | None,
    Query(
        max_length=200,
        description="Comma-separated fields of: id, slug, value, lower_bound, upper_bound, period, "
        "updated_at, created_at; `-` for descending.",
        examples=["-value"],
    ),
]


@router.get(
    "", summary="List sources", response_model=Page[SourcePublic], responses=formats.LIST_RESPONSES
)
def list_sources(
    request: Request,
    response: Response,
    session: SessionDep,
    kind: Annotated[list[SourceKind], repeatable("Kind of source.", "news_service")] = [],  # noqa: B006
    party: Annotated[
        list[Literal["RU", "UA", "none"]],
        repeatable("Side in the conflict; `none` for independent sources.", "RU"),
    ] = [],  # noqa: B006
    country: Annotated[list[CountryCode], country_param("of the source")] = [],  # noqa: B006
    status: Annotated[
        list[Status], repeatable("Record status (default: published and corrected).", "published")
    ] = [],  # noqa: B006
    include_retracted: IncludeRetracted = False,
    as_of: AsOf = None,
    q: SearchText = None,
    sort: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Comma-separated fields of: id, slug, name, kind, updated_at; `-` for descending.",
            examples=["name"],
        ),
    ] = None,
    limit: PageLimit = None,
    cursor: Cursor = None,
    count: Count = False,
    format: FormatParam = None,
    bom: BomParam = False,
) -> Response:
    """Every source: outlets, services, ministries, people, documents and archives."""
    query = SourceQuery(
        kind=[k.value for k in kind],
        party=list(party),
        country=country,
        status=statuses(status, include_retracted),
        q=q,
        as_of=as_of,
    )
    return formats.list_answer(
        request,
        response,
        table="sources",
        records=LISTED,
        requested=format,
        bom=bom,
        limit=limit,
        cursor=cursor,
        count=count,
        session=session,
        fetch=lambda s, c, n, total: (
            past.list_sources(s, query, query.as_of, sort=sort, limit=n, cursor=c)
            if query.as_of is not None
            else sources.list_sources(s, query, sort=sort, limit=n, cursor=c, count=total)
        ),
    )


@router.get(
    "/{slug}",
    summary="One source with counts of what it claims and relays",
    response_model=SourcePublic,
    responses=pages.HTML_RESPONSE,
)
def get_source(
    request: Request,
    response: Response,
    session: SessionDep,
    slug: SlugPath,
    as_of: AsOf = None,
    format: pages.PageFormat = None,
) -> Response:
    """The source, its parent organisation, and how often it claims, relays, publishes or is quoted.

    With `as_of`, the source as it stood at that moment (without counts, which describe today).
    A browser gets the source's page: what it claims first, relays and publishes."""
    if pages.wants_page(request, format, as_of):
        return pages.html_response(web.source(session, slug, base_url(request)))
    view = (
        sources.get_source(session, slug)
        if as_of is None
        else sources.get_source_as_of(session, slug, as_of)
    )
    response.headers["ETag"] = view.etag
    return json_response(SourcePublic.of(view, base_url(request)), response)


@router.get(
    "/{slug}/figures",
    summary="Every figure that rests on a source",
    response_model=Page[FigurePublic],
    responses=formats.LIST_RESPONSES,
)
def list_source_figures(
    request: Request,
    response: Response,
    session: SessionDep,
    slug: SlugPath,
    sort: FigureSort = None,
    limit: PageLimit = None,
    cursor: Cursor = None,
    count: Count = False,
    format: FormatParam = None,
    bom: BomParam = False,
) -> Response:
    """Figures whose chain contains this source, or a source under it, at any position."""
    sources.require(session, slug)
    query = FigureQuery(source=[slug])
    return formats.list_answer(
        request,
        response,
        table="figures",
        records=STORED_FIGURES,
        requested=format,
        bom=bom,
        limit=limit,
        cursor=cursor,
        count=count,
        session=session,
        fetch=lambda s, c, n, total: figure_docs.list_stored(
            s, query, sort=sort, limit=n, cursor=c, count=total
        ),
    )
