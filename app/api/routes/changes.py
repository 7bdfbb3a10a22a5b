"""The change feed: every revision in order, as JSON pages and as an Atom feed."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from app.api import problems
from app.api.deps import SessionDep, SettingsDep
from app.api.listing import base_url, link_header, next_url
from app.api.params import Cursor, Limit, forbid_unknown_query_params
from app.errors import InvalidParameterError
from app.schemas.common import IsoTimestamp, Page
from app.schemas.revision import RevisionPublic
from app.services import atom, history

router = APIRouter(
    prefix="/v1",
    tags=["changes"],
    dependencies=[Depends(forbid_unknown_query_params)],
    responses=problems.responses(400, 422, 503),
)

ATOM_ENTRIES = 100

Since = Annotated[
    IsoTimestamp | None,
    Query(
        description="Only changes after this moment (ISO 8601 with a time zone).",
        examples=["2026-01-01T00:00:00Z"],
    ),
]


def _after(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    if not cursor.isdigit() or len(cursor) > 18:
        raise InvalidParameterError(
            "cursor: not a cursor this feed handed out; use the `next` link"
        )
    return int(cursor)


@router.get("/changes", summary="Every change, in order", response_model=Page[RevisionPublic])
def list_changes(
    request: Request,
    response: Response,
    session: SessionDep,
    since: Since = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[RevisionPublic]:
    """Every revision of every record, oldest first: poll with `since`, follow `next`."""
    page = history.changes(session, since, _after(cursor), limit)
    url = next_url(request, str(page.next_after) if page.next_after is not None else None)
    link_header(response, url)
    slugs = history.slugs_for(session, page.items)
    return Page[RevisionPublic](items=[RevisionPublic.of(r, slugs) for r in page.items], next=url)


@router.get(
    "/changes.atom",
    summary="The latest changes as an Atom feed",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {"example": "<feed xmlns=...>"}}}},
)
def atom_feed(
    request: Request, session: SessionDep, settings: SettingsDep, since: Since = None
) -> Response:
    """The latest 100 changes (after `since` when given), newest first, one entry per change
    with a link to the record whose history it belongs to."""
    revisions = history.latest(session, ATOM_ENTRIES, since)
    slugs = history.slugs_for(session, revisions)
    body = atom.feed(revisions, slugs, base_url(request), settings.dataset_name)
    return Response(body, media_type="application/atom+xml; charset=utf-8")
