"""The measure vocabulary, and competing estimates of one measure side by side."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlmodel import Session

from app.api import pages, problems
from app.api.deps import in_read_session
from app.api.listing import base_url, next_url
from app.api.params import Cursor, forbid_unknown_query_params
from app.schemas.common import Page
from app.schemas.comparison import MeasureComparison
from app.schemas.measure import MeasurePublic
from app.services.common.pagination import DEFAULT_LIMIT, MAX_LIMIT
from app.services.read import measures
from app.web import pages as web

router = APIRouter(
    prefix="/v1/measures",
    tags=["measures"],
    dependencies=[Depends(forbid_unknown_query_params)],
    responses=problems.responses(400, 404, 422, 503),
)


@router.get(
    "",
    summary="List the measure vocabulary with counts",
    response_model=Page[MeasurePublic],
    responses=pages.HTML_RESPONSE,
)
async def list_measures(
    request: Request, format: pages.PageFormat = None
) -> Response | Page[MeasurePublic]:
    """Every measure figures can be compared on, with how many figures use it. A browser gets
    them as a page."""
    root = base_url(request)
    if pages.prefers_html(request, format):
        return await pages.page(
            request,
            lambda session, root: web.measure_list(
                [
                    MeasurePublic.of(v, root).model_dump(mode="json")
                    for v in measures.list_measures(session)
                ],
                root,
            ),
        )

    # In the read threads: the counts read an index entry per figure, and in the default
    # pool eight of them at once each filled another connection's page cache (RSS grew).
    def answer(session: Session) -> Page[MeasurePublic]:
        views = measures.list_measures(session)
        return Page[MeasurePublic](items=[MeasurePublic.of(v, root) for v in views], next=None)

    return await in_read_session(request, answer)


@router.get(
    "/{measure}",
    summary="Competing figures for one measure",
    response_model=MeasureComparison,
    responses=pages.HTML_RESPONSE,
)
async def compare_measure(
    request: Request,
    measure: Annotated[
        str,
        Path(
            max_length=64,
            description="A measure of the vocabulary.",
            examples=["killed_or_wounded"],
        ),
    ],
    figures_per_claimant: Annotated[
        int,
        Query(
            ge=1,
            le=measures.MAX_PER_CLAIMANT,
            description="How many of each claimant's figures to show, the first by id "
            f"(1 to {measures.MAX_PER_CLAIMANT}). `figure_count` says how many there are; "
            "`/v1/figures?measure=…&claimant=…` lists them all.",
            examples=[measures.PER_CLAIMANT],
        ),
    ] = measures.PER_CLAIMANT,
    limit: Annotated[
        int,
        Query(
            ge=1,
            le=MAX_LIMIT,
            description=f"Claimants per page (1 to {MAX_LIMIT}).",
            examples=[DEFAULT_LIMIT],
        ),
    ] = DEFAULT_LIMIT,
    cursor: Cursor = None,
    format: pages.PageFormat = None,
) -> Response | MeasureComparison:
    """The measure's claimants side by side, by claimant slug (figures without a claimant
    last), each with its side in the conflict, how many figures it makes and the first of
    them. A large measure is paged: `next` links to the following claimants. A browser gets
    the measure's page: every estimate charted side by side, with the same data as a table."""
    if pages.prefers_html(request, format):
        return await pages.page(request, lambda session, root: web.measure(session, measure, root))
    # In the read threads, like the figures lists: at most ``read_threads`` comparisons
    # (each reads every figure of its measure) run at once, which bounds their memory.

    def answer(session: Session) -> MeasureComparison:
        comparison = measures.compare(
            session, measure, per_claimant=figures_per_claimant, limit=limit, cursor=cursor
        )
        return MeasureComparison.of(
            comparison, base_url(request), next_url(request, comparison.next_cursor)
        )

    return await in_read_session(request, answer)
