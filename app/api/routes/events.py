"""Events with the chains of those who report them and their figures."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from app.api import formats, pages, problems
from app.api.deps import SessionDep
from app.api.formats import BomParam, FormatParam
from app.api.listing import Models, base_url
from app.api.params import (
    AsOf,
    Count,
    CountryCode,
    Cursor,
    EndDate,
    IncludeRetracted,
    PageLimit,
    SearchText,
    StartDate,
    country_param,
    date_from_param,
    date_to_param,
    forbid_unknown_query_params,
    repeatable,
    statuses,
)
from app.api.responses import json_response
from app.models.vocab import EventType, Status
from app.schemas.common import Page
from app.schemas.event import EventPublic
from app.schemas.event_detail import EventDetail
from app.services.read import as_of as past
from app.services.read import events
from app.services.read.events import EventQuery
from app.web import pages as web

router = APIRouter(
    prefix="/v1/events",
    tags=["events"],
    dependencies=[Depends(forbid_unknown_query_params)],
    responses=problems.responses(400, 404, 422, 503),
)
# The list's records: public models, made from the service's views.
LISTED = Models(EventPublic)


@router.get(
    "", summary="List events", response_model=Page[EventPublic], responses=formats.LIST_RESPONSES
)
def list_events(
    request: Request,
    response: Response,
    session: SessionDep,
    type: Annotated[list[EventType], repeatable("Event type.", "desertion")] = [],  # noqa: B006
    country: Annotated[list[CountryCode], country_param("where it happened")] = [],  # noqa: B006
    tag: Annotated[list[str], repeatable("A tag the event carries.", "barrier-troops")] = [],  # noqa: B006
    source: Annotated[
        list[str], repeatable("A source in the event's chain or its figures' chains.", "rfe-rl")
    ] = [],  # noqa: B006
    status: Annotated[
        list[Status], repeatable("Record status (default: published and corrected).", "published")
    ] = [],  # noqa: B006
    include_retracted: IncludeRetracted = False,
    as_of: AsOf = None,
    date_from: Annotated[StartDate | None, date_from_param("The event's `date`")] = None,
    date_to: Annotated[EndDate | None, date_to_param("The event's `date`")] = None,
    q: SearchText = None,
    sort: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Comma-separated fields of: id, slug, title, date, updated_at; `-` for "
            "descending. `date` sorts by the best known day (the first the date can mean, else "
            "its last); undated events come last either way. Ties end with id.",
            examples=["date"],
        ),
    ] = None,
    limit: PageLimit = None,
    cursor: Cursor = None,
    count: Count = False,
    format: FormatParam = None,
    bom: BomParam = False,
) -> Response:
    """Events, each with the chain of sources that report it. Filters combine with AND."""
    query = EventQuery(
        type=[t.value for t in type],
        country=country,
        tag=tag,
        source=source,
        status=statuses(status, include_retracted),
        date_from=date_from,
        date_to=date_to,
        q=q,
        as_of=as_of,
    )
    return formats.list_answer(
        request,
        response,
        table="events",
        records=LISTED,
        requested=format,
        bom=bom,
        limit=limit,
        cursor=cursor,
        count=count,
        session=session,
        fetch=lambda s, c, n, total: (
            past.list_events(s, query, query.as_of, sort=sort, limit=n, cursor=c)
            if query.as_of is not None
            else events.list_events(s, query, sort=sort, limit=n, cursor=c, count=total)
        ),
    )


@router.get(
    "/{slug}",
    summary="One event with its figures",
    response_model=EventDetail,
    responses=pages.HTML_RESPONSE,
)
def get_event(
    request: Request,
    response: Response,
    session: SessionDep,
    slug: Annotated[
        str, Path(max_length=120, description="The event's slug.", examples=["russian-desertions"])
    ],
    as_of: AsOf = None,
    format: pages.PageFormat = None,
) -> Response:
    """The event, the chain of sources that report it, and every figure about it with its chain.

    With `as_of`, the event, its chain and its figures as they stood at that moment. A browser
    gets the event's page."""
    if pages.wants_page(request, format, as_of):
        return pages.html_response(web.event(session, slug, base_url(request)))
    view = (
        events.get_event(session, slug)
        if as_of is None
        else events.get_event_as_of(session, slug, as_of)
    )
    response.headers["ETag"] = view.etag
    return json_response(EventDetail.of(view, base_url(request)), response)
