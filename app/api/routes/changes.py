"""The change feeds: every revision in order as JSON pages, and Atom feeds of every change,
of one record's and of the figures of one measure."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response

from app.api import pages, problems
from app.api.deps import SessionDep, SettingsDep
from app.api.listing import base_url, link_header, next_url
from app.api.params import Cursor, Limit, Since, forbid_unknown_query_params
from app.schemas.common import Page
from app.schemas.revision import RevisionPublic
from app.services.common import pagination
from app.services.present import atom
from app.services.read import history
from app.web import pages as web

router = APIRouter(
    prefix="/v1",
    tags=["changes"],
    dependencies=[Depends(forbid_unknown_query_params)],
    responses=problems.responses(400, 422, 503),
)

ATOM_ENTRIES = 100
ATOM_MEDIA_TYPE = "application/atom+xml; charset=utf-8"
_CORRECTION = (
    "Figure leningrad-inmates-escaped corrected: note",
    "Corrected by desk editor. Why: Clarify the missing date\n"
    'note: (none) → "RFE/RL gives no date for the escape."',
)


def _atom_response(path: str, feed_id: str, title: str, record: str) -> dict[str, Any]:
    """The OpenAPI entry of a feed's 200: an example in the feed's shape (ids, words, links)."""
    example = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Sourced: {title}</title><id>tag:sourced,2026:{feed_id}</id>"
        "<updated>2026-12-01T09:10:55.567664Z</updated>"
        f'<link rel="self" href="http://127.0.0.1:8000/v1/{path}" />'
        f'<link rel="alternate" href="http://127.0.0.1:8000/v1/{record}" />'
        "<author><name>Sourced</name></author>"
        f"<entry><title>{_CORRECTION[0]}</title><id>tag:sourced,2026:revision/78</id>"
        "<updated>2026-12-01T09:10:55.567664Z</updated>"
        '<link rel="alternate" href="http://127.0.0.1:8000/v1/figures/leningrad-inmates-escaped" />'
        "<author><name>desk editor</name></author>"
        f'<content type="text">{_CORRECTION[1]}</content></entry></feed>'
    )
    return {
        "description": "An Atom feed (RFC 4287), newest change first; entry ids are permanent "
        "`tag:` URIs and each entry links to its record.",
        "content": {"application/atom+xml": {"example": example}},
    }


@router.get(
    "/changes",
    summary="Every change, in order",
    response_model=Page[RevisionPublic],
    responses=pages.HTML_RESPONSE,
)
def list_changes(
    request: Request,
    response: Response,
    session: SessionDep,
    since: Since = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    format: pages.PageFormat = None,
) -> Response | Page[RevisionPublic]:
    """Every revision of every record, oldest first: poll with `since`, follow `next`. A browser
    gets the changes as a page."""
    page = history.changes(session, since, pagination.revision_cursor(cursor, "feed"), limit)
    url = next_url(request, str(page.next_after) if page.next_after is not None else None)
    if pages.prefers_html(request, format):
        return pages.html_response(web.changes(session, page.items, base_url(request), url))
    link_header(response, url)
    slugs = history.slugs_for(session, page.items)
    return Page[RevisionPublic](items=[RevisionPublic.of(r, slugs) for r in page.items], next=url)


@router.get(
    "/changes.atom",
    summary="The latest changes as an Atom feed",
    response_class=Response,
    responses={200: _atom_response("changes.atom", "changes", "changes", "changes")},
)
def atom_feed(
    request: Request, session: SessionDep, settings: SettingsDep, since: Since = None
) -> Response:
    """The latest 100 changes (after `since` when given), newest first. Each entry says what
    changed (`note: "old" → "new"` per field), who changed it and why, and links to the
    record whose history it belongs to; its id is a permanent `tag:` URI."""
    revisions = history.latest(session, ATOM_ENTRIES, since)
    slugs = history.slugs_for(session, revisions)
    body = atom.feed(revisions, slugs, base_url(request), settings.dataset_name)
    return Response(body, media_type=ATOM_MEDIA_TYPE)


def _record_feed(kind: str, example_slug: str) -> None:
    """`/v1/{figures,events,sources}/{slug}/history.atom`: one record's changes."""
    plural = atom.PLURAL[kind]
    chain = "" if kind == "source" else " and of the links of its chain"

    @router.get(
        f"/{plural}/{{slug}}/history.atom",
        summary=f"One {kind}'s changes as an Atom feed",
        response_class=Response,
        responses={
            **problems.responses(404),
            200: _atom_response(
                f"{plural}/{example_slug}/history.atom",
                f"{plural}/{example_slug}/history",
                f"{kind} {example_slug}",
                f"{plural}/{example_slug}",
            ),
        },
    )
    def record_feed(
        request: Request,
        session: SessionDep,
        settings: SettingsDep,
        slug: Annotated[
            str, Path(max_length=120, description=f"The {kind}'s slug.", examples=[example_slug])
        ],
        since: Since = None,
    ) -> Response:
        revisions = history.latest_of_record(session, kind, slug, ATOM_ENTRIES, since)
        slugs = history.slugs_for(session, revisions)
        channel = atom.of_record(kind, slug)
        body = atom.feed(revisions, slugs, base_url(request), settings.dataset_name, channel)
        return Response(body, media_type=ATOM_MEDIA_TYPE)

    record_feed.__doc__ = (
        f"The latest 100 changes of the {kind}{chain} (after `since` when given), newest "
        f"first, worded as in `/v1/changes.atom`: subscribe to follow one {kind} you cite. "
        f"An unknown slug is a 404."
    )


_record_feed("figure", "leningrad-inmates-escaped")
_record_feed("event", "leningrad-inmates-escape")
_record_feed("source", "rfe-rl")


@router.get(
    "/measures/{measure}/changes.atom",
    summary="Changes to the figures of a measure as an Atom feed",
    response_class=Response,
    responses={
        **problems.responses(404),
        200: _atom_response(
            "measures/inmates_escaped/changes.atom",
            "measures/inmates_escaped/changes",
            "figures of measure inmates_escaped",
            "measures/inmates_escaped",
        ),
    },
)
def measure_feed(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    measure: Annotated[
        str, Path(max_length=64, description="A measure of the vocabulary.", examples=["deserters"])
    ],
    since: Since = None,
) -> Response:
    """The latest 100 changes to the figures the measure has now and to their chains (after
    `since` when given), newest first, worded as in `/v1/changes.atom`: follow every new or
    corrected estimate of one measure. An unknown measure is a 404."""
    revisions = history.latest_of_measure(session, measure, ATOM_ENTRIES, since)
    slugs = history.slugs_for(session, revisions)
    channel = atom.of_measure(measure)
    body = atom.feed(revisions, slugs, base_url(request), settings.dataset_name, channel)
    return Response(body, media_type=ATOM_MEDIA_TYPE)
