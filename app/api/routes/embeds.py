"""A figure to embed in another site: a small card for an iframe, and oEmbed, so that a
newsroom CMS pasting a figure's link gets the card, which shows corrections and retractions
as soon as they are made."""

from typing import Annotated, Literal
from urllib.parse import unquote, urlsplit

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.api import pages, problems
from app.api.deps import in_read_session
from app.api.listing import base_url
from app.api.params import forbid_unknown_query_params
from app.errors import NotFoundError
from app.services.derived import figure_docs
from app.web import pages as web

router = APIRouter(
    tags=["embeds"],
    dependencies=[Depends(forbid_unknown_query_params)],
    responses=problems.responses(400, 404, 422, 503),
)

CARD_WIDTH = 560
CARD_HEIGHT = 280
# Any site may frame the card; it still loads its stylesheet from this server only.
CARD_CSP = pages.CSP.replace("frame-ancestors 'none'", "frame-ancestors *")


class OEmbed(BaseModel):
    """An oEmbed 1.0 `rich` response (oembed.com, section 2.3.4)."""

    version: Literal["1.0"] = "1.0"
    type: Literal["rich"] = "rich"
    title: str = Field(examples=["at least 50,000"])
    provider_name: str = Field(examples=["Sourced"])
    provider_url: str = Field(examples=["http://127.0.0.1:8000/"])
    html: str = Field(description="The `<iframe>` of the figure's card.")
    width: int = Field(examples=[CARD_WIDTH])
    height: int = Field(examples=[CARD_HEIGHT])
    cache_age: int = Field(
        description="Seconds a consumer may keep this answer: short, so that a correction "
        "shows soon even where the card is not re-fetched.",
        examples=[3600],
    )


@router.get(
    "/v1/figures/{slug}/card",
    summary="The figure as a card to embed",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {"example": "<!doctype html>…"}}}},
)
async def figure_card(
    request: Request,
    slug: Annotated[
        str,
        Path(
            max_length=120, description="The figure's slug.", examples=["deserters-since-invasion"]
        ),
    ],
) -> Response:
    """A small HTML page for an `<iframe>` on any site: the number as stated, who claims it
    and who relayed it, and a link to the full record. It is read afresh like every page, so a
    correction or retraction shows in every story that embeds it."""
    root = base_url(request)

    def build(session: Session) -> str:
        text = figure_docs.get_stored(session, slug)
        return web.card(text.json(root), root)

    html = await in_read_session(request, build)
    return pages.html_response(html, {"Content-Security-Policy": CARD_CSP})


@router.get(
    "/oembed",
    summary="oEmbed for a figure's link",
    response_model=OEmbed,
)
async def oembed(
    request: Request,
    url: Annotated[
        str,
        Query(
            max_length=500,
            description="A figure's URL (its `url` in the JSON, which is also its page).",
            examples=["http://127.0.0.1:8000/v1/figures/deserters-since-invasion"],
        ),
    ],
    format: Annotated[
        Literal["json"],
        Query(description="`json`, the one format offered.", examples=["json"]),
    ] = "json",
    maxwidth: Annotated[
        int | None,
        Query(ge=1, le=10000, description="Widest card wanted, in pixels.", examples=[400]),
    ] = None,
    maxheight: Annotated[
        int | None,
        Query(ge=1, le=10000, description="Tallest card wanted, in pixels.", examples=[300]),
    ] = None,
) -> OEmbed:
    """What a CMS that speaks oEmbed asks when an editor pastes a figure's link: the card's
    `<iframe>` and its size. Figure pages name this endpoint in a discovery `<link>`."""
    root = base_url(request)
    slug = _figure_slug(url, urlsplit(root).path)
    text = await in_read_session(request, lambda session: figure_docs.get_stored(session, slug))
    record = web.record_of(text.json(root))
    width = min(CARD_WIDTH, maxwidth or CARD_WIDTH)
    height = min(CARD_HEIGHT, maxheight or CARD_HEIGHT)
    return OEmbed(
        title=web.embed_title(record),
        provider_name="Sourced",
        provider_url=root,
        html=web.embed_code(record, width=width, height=height),
        width=width,
        height=height,
        cache_age=3600,
    )


def _figure_slug(url: str, root_path: str) -> str:
    """The slug of a figure's URL under this server's ``root_path`` (``/`` unless the API is
    mounted under a prefix); a 404 for any other URL. Its host is not compared with this
    server's: behind a proxy the public host is not the one the server sees."""
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed IPv6 bracket, a host that is no host
        parts = None
    path = unquote(parts.path).rstrip("/") if parts else ""
    prefix = f"{root_path.rstrip('/')}/v1/figures/"
    slug = path[len(prefix) :] if path.startswith(prefix) else ""
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not slug
        or "/" in slug
        or not slug.isprintable()  # a decoded %00 or control character names no figure
    ):
        raise NotFoundError(f"url: not a figure of this dataset: {url[:200]!r}")
    return slug
