"""Figures with their attribution chains and citations."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import PlainTextResponse
from sqlmodel import Session

from app.api import figure_pages, formats, hot_query, pages, problems
from app.api.deps import SessionDep, in_read_loop, in_read_session, read_engine
from app.api.formats import BomParam, FormatParam
from app.api.listing import STORED_FIGURES, base_url
from app.api.params import (
    AsOf,
    Count,
    Cursor,
    EndDate,
    IncludeRetracted,
    PageLimit,
    SearchText,
    StartDate,
    date_from_param,
    date_to_param,
    forbid_unknown_query_params,
    repeatable,
    statuses,
)
from app.models.vocab import Qualifier, Status
from app.schemas import figure_json
from app.schemas.common import Page, QueryNumber
from app.schemas.figure import FigurePublic
from app.schemas.figure_json import FigureRecord
from app.services.common.pagination import DEFAULT_LIMIT
from app.services.derived import figure_docs
from app.services.present import citations
from app.services.read import figures
from app.services.read.figures import FigureQuery
from app.web import pages as web

router = APIRouter(
    prefix="/v1/figures",
    tags=["figures"],
    dependencies=[Depends(forbid_unknown_query_params)],
    responses=problems.responses(400, 404, 422, 503),
)

SlugPath = Annotated[
    str,
    Path(
        max_length=hot_query.MAX_SLUG,
        description="The figure's slug.",
        examples=["deserters-since-invasion"],
    ),
]


async def list_figures(
    request: Request,
    response: Response,
    measure: Annotated[list[str], repeatable("Measure of the vocabulary.", "deserters")] = [],  # noqa: B006
    event: Annotated[list[str], repeatable("Event slug.", "russian-desertions")] = [],  # noqa: B006
    source: Annotated[
        list[str], repeatable("A source anywhere in the chain (or under it).", "rfe-rl")
    ] = [],  # noqa: B006
    claimant: Annotated[
        list[str],
        repeatable(
            "The source at position 0 of the chain, or a source under it (`ru-mod` finds its "
            "leaked reports).",
            "ru-mod",
        ),
    ] = [],  # noqa: B006
    party: Annotated[
        list[Literal["RU", "UA", "none"]],
        repeatable("The claimant's side in the conflict; `none` for independent claimants.", "UA"),
    ] = [],  # noqa: B006
    exclude_party_claims: Annotated[
        bool,
        Query(
            description="Leave out figures whose claimant is a party to the conflict.",
            examples=[False],
        ),
    ] = False,
    qualifier: Annotated[list[Qualifier], repeatable("How exact the figure is.", "at_least")] = [],  # noqa: B006
    unit: Annotated[list[str], repeatable("Unit of the figure.", "persons")] = [],  # noqa: B006
    status: Annotated[
        list[Status], repeatable("Record status (default: published and corrected).", "published")
    ] = [],  # noqa: B006
    include_retracted: IncludeRetracted = False,
    as_of: AsOf = None,
    date_from: Annotated[StartDate | None, date_from_param("The figure's `period`")] = None,
    date_to: Annotated[EndDate | None, date_to_param("The figure's `period`")] = None,
    value_gte: Annotated[
        QueryNumber | None,
        Query(
            description="Value (or, without one, the lower bound) at least this.", examples=[1000]
        ),
    ] = None,
    value_lte: Annotated[
        QueryNumber | None,
        Query(
            description="Value (or, without one, the lower bound) at most this.", examples=[100000]
        ),
    ] = None,
    q: SearchText = None,
    sort: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Comma-separated fields of: id, slug, value, lower_bound, upper_bound, period, "
            "updated_at, created_at; `-` for descending. `period` sorts by the best known day "
            "(the period's first, else its last); figures without one come last either way. "
            "Ties end with id.",
            examples=["-value"],
        ),
    ] = None,
    limit: PageLimit = None,
    cursor: Cursor = None,
    count: Count = False,
    format: FormatParam = None,
    bom: BomParam = False,
) -> Response:
    """Every figure with its event, its ordered attribution chain and a ready-to-paste citation.

    Filters combine with AND; several values of one filter combine with OR.
    """
    query = FigureQuery(
        measure=measure,
        event=event,
        source=source,
        claimant=claimant,
        party=list(party),
        exclude_party_claims=exclude_party_claims,
        qualifier=[q_.value for q_ in qualifier],
        unit=unit,
        status=statuses(status, include_retracted),
        date_from=date_from,
        date_to=date_to,
        value_gte=value_gte,
        value_lte=value_lte,
        q=q,
        as_of=as_of,
    )

    if (
        sort is None
        and not count
        and query == FigureQuery(measure=query.measure, status=query.status)
        and _json(request, format)
    ):
        # The hot shape, a page by measure in id order, on the driver (app/api/figure_pages.py);
        # None where only the full path below answers exactly.
        hot = await _page_by_measure(request, response, query.measure, query.status, limit, cursor)
        if hot is not None:
            return hot

    def fetch(session: Session, cursor: str | None, limit: int, count: bool) -> Any:
        return figure_docs.list_stored(
            session, query, sort=sort, limit=limit, cursor=cursor, count=count
        )

    def answer(session: Session) -> Response:
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
            fetch=fetch,
        )

    return await in_read_session(request, answer)


async def _page_by_measure(
    request: Request,
    response: Response,
    measure: list[str],
    status: list[str],
    limit: int | None,
    cursor: str | None,
) -> Response | None:
    page = await in_read_loop(
        request,
        figure_pages.page,
        read_engine(request),
        measure,
        status,
        limit or DEFAULT_LIMIT,
        cursor,
        within=figure_pages.ON_LOOP_SECONDS,
    )
    if page is None:
        return None
    return formats.json_page(request, response, STORED_FIGURES, page)


async def _fast_list(request: Request, response: Response) -> Response | None:
    """The page by measure with its query read in one pass (app/api/hot_query.py): what
    ``list_figures`` answers for the same query, without FastAPI solving its 23 parameters;
    None for any other query, which ``list_figures`` then answers."""
    query = hot_query.figure_list(request.query_params.multi_items())
    if query is None or not _json(request, None):
        return None
    status = statuses(query.status, include_retracted=False)
    return await _page_by_measure(
        request, response, query.measure, status, query.limit, query.cursor
    )


router.add_api_route(
    "",
    list_figures,
    methods=["GET"],
    summary="List figures with their attribution chains",
    response_model=Page[FigurePublic],
    responses=formats.LIST_RESPONSES,
    route_class_override=hot_query.fast_route(_fast_list),
)


def _json(request: Request, requested: formats.Format | None) -> bool:
    """Whether the list answers JSON; a 406 is left to the full path, which raises it."""
    try:
        return formats.negotiate(request, requested) == "json"
    except formats.NotAcceptableError:
        return False


async def get_figure(
    request: Request,
    response: Response,
    slug: SlugPath,
    as_of: AsOf = None,
    format: pages.PageFormat = None,
) -> Response:
    """The figure, its event, every link of its chain with quotes, and its citation.

    The `ETag` is what a correction's `If-Match` needs. A browser gets the figure's page:
    the chain drawn, the citation to copy, the competing estimates and the history."""
    if pages.wants_page(request, format, as_of):
        return await pages.page(request, lambda session, root: web.figure(session, slug, root))

    def answer(session: Session) -> Response:
        if as_of is None:
            return _stored_answer(request, response, figure_docs.get_stored(session, slug))
        view = figures.get_figure_as_of(session, slug, as_of)
        response.headers["ETag"] = view.etag
        record = FigureRecord.of(view, base_url(request))
        return figure_json.response(record.data, response)

    if as_of is None:
        stored = await _stored_figure(request, response, slug)
        if stored is not None:
            return stored
    return await in_read_session(request, answer)


def _stored_answer(request: Request, response: Response, text: figure_docs.Stored) -> Response:
    response.headers["ETag"] = text.etag
    return figure_json.raw_response(text.json(base_url(request)), response)


async def _stored_figure(request: Request, response: Response, slug: str) -> Response | None:
    """The common case in one driver statement; None for an unknown slug or a figure without
    its stored text, which the full path answers (a 404, or the text rendered)."""
    stored = await in_read_loop(request, figure_docs.by_slug, read_engine(request), slug)
    if stored is None:
        return None
    return _stored_answer(request, response, stored)


async def _fast_figure(request: Request, response: Response) -> Response | None:
    """A figure's JSON by its slug, with no query string at all: what ``get_figure`` answers
    for it, without FastAPI solving its parameters (app/api/hot_query.py); None for anything
    else, which ``get_figure`` then answers."""
    slug = hot_query.figure_detail(request.path_params["slug"], request.scope["query_string"])
    if slug is None or pages.wants_page(request, None, None):
        return None
    return await _stored_figure(request, response, slug)


router.add_api_route(
    "/{slug}",
    get_figure,
    methods=["GET"],
    summary="One figure with its attribution chain",
    response_model=FigurePublic,
    responses=pages.HTML_RESPONSE,
    route_class_override=hot_query.fast_route(_fast_figure),
)


@router.get(
    "/{slug}/citation",
    summary="The figure's citation as text",
    response_class=PlainTextResponse,
    responses={
        200: {
            "content": {
                "text/plain": {
                    "example": "At least 50,000 Russian service members have deserted since the "
                    "invasion began, according to leaked 2024 reports from Russia’s Ministry of "
                    "Defence cited by RFE/RL, as published in “50,000 deserters: Putin’s army "
                    "using Stalin’s methods to keep troops from fleeing the battlefield”."
                },
                "text/markdown": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
            }
        }
    },
)
def get_citation(
    request: Request,
    session: SessionDep,
    slug: SlugPath,
    style: Annotated[
        Literal["text", "markdown", "html"],
        Query(
            description="`markdown` and `html` link every source: to its own URL, else to its "
            "page in this API (`/v1/sources/{slug}`). `html` is escaped throughout.",
            examples=["markdown"],
        ),
    ] = "text",
    names: Annotated[
        Literal["short", "full"],
        Query(
            description="`short` (the default, as newsrooms write) names a source by its short "
            "name where it has one: `cited by RFE/RL`; `full` always by its full name: `cited "
            "by RadioFreeEurope/RadioLiberty`.",
            examples=["full"],
        ),
    ] = "short",
    as_of: AsOf = None,
) -> PlainTextResponse:
    """A sentence to paste into a story: the figure in the source's words with its qualifier
    ("about", "at least"), the claimant first, then who relayed it, then where it was
    published (and when, if known). A retracted figure's text says it is retracted and why;
    `as_of` gives the citation as the figure stood then (before a correction, say)."""
    if as_of is None:
        view = figures.get_figure(session, slug)
    else:
        view = figures.get_figure_as_of(session, slug, as_of)
    media = {"text": "text/plain", "markdown": "text/markdown", "html": "text/html"}[style]
    text = citations.cite_figure(
        view.figure, view.chain, style=style, names=names, base_url=base_url(request)
    )
    return PlainTextResponse(text, media_type=f"{media}; charset=utf-8")
