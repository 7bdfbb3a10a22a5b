"""The reader's pages at the records' own URLs: a browser asking for HTML gets a page, every
other client exactly the JSON it got before.

A record's `url` is the one address a journalist is sent. `Accept` decides what it answers
(`?format=json|html` wins over it): HTML only when the client names `text/html` and prefers it
to JSON, as browsers do; `*/*`, `application/json` or no header at all get JSON. Both answers
say `Vary: Accept`, so no cache hands one to a client that asked for the other.
"""

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app.api.accept import best_match, choose, media_ranges
from app.api.deps import in_read_session
from app.api.listing import base_url
from app.errors import InvalidParameterError

PageFormat = Annotated[
    Literal["json", "html"] | None,
    Query(
        description="`json` or `html`; wins over the `Accept` header. Without it, a browser "
        "(which asks for `text/html`) gets the reader's page and every other client JSON.",
        examples=["json"],
    ),
]

# The pages load their stylesheet and script from this server only, and may not be framed
# (the embed card, meant for other sites' iframes, says otherwise).
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Vary": "Accept",
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}

# JSON first: a tie goes to it.
PAGE_OR_JSON = (("json", ("application/json",)), ("html", ("text/html",)))

# The 200 response's extra content type on every route that also answers a page.
HTML_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {"schema": {"type": "string"}}}}
}


def prefers_html(request: Request, requested: str | None = None) -> bool:
    """`?format=html`, or an `Accept` that names `text/html` itself (a wildcard means JSON)
    and ranks it above JSON as a list's formats are ranked (`accept.choose`)."""
    if requested is not None:
        return requested == "html"
    ranges = media_ranges(request.headers.get("accept", ""))
    html = best_match(ranges, "text/html")
    if html is None or html[0] < 2:
        return False
    return choose(ranges, PAGE_OR_JSON) == "html"


def wants_page(request: Request, requested: str | None, as_of: object) -> bool:
    """Whether a record's URL answers its page: pages show the record as it is now, so a
    browser asking for a past version (`as_of`) gets the JSON of it, and `?format=html` with
    `as_of` is refused rather than answered with today's page."""
    if as_of is None:
        return prefers_html(request, requested)
    if requested == "html":
        raise InvalidParameterError(
            "format: a page shows the record as it is now; drop as_of, or ask for "
            "format=json to read the record as it stood then"
        )
    return False


def html_response(html: str, headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(html, headers={**HEADERS, **(headers or {})})


async def page(request: Request, build: Callable[[Session, str], str]) -> HTMLResponse:
    """``build(session, root)``'s page, read in the read threads like the JSON."""
    root = base_url(request)
    html = await in_read_session(request, lambda session: build(session, root))
    return html_response(html)
