"""The list envelope on the wire: `items`, a full `next` URL and the same URL in `Link`."""

from typing import Any

from fastapi import Request, Response

from app.schemas import figure_json


def next_url(request: Request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    return str(request.url.include_query_params(cursor=cursor))


def link_header(response: Response, url: str | None) -> None:
    if url is not None:
        response.headers["Link"] = f'<{url}>; rel="next"'


def base_url(request: Request) -> str:
    return str(request.base_url)


def figure_page(request: Request, response: Response, page: Any) -> Response:
    """A service Page of stored figures (``figure_docs.list_stored``) as the JSON list envelope
    (``Page[FigurePublic]``'s bytes: app/schemas/figure_json.py), with `Link` and `Vary`."""
    root = base_url(request)
    url = next_url(request, page.next_cursor)
    link_header(response, url)
    response.headers.add_vary_header("Accept")
    body = figure_json.stored_page([text.json(root) for text in page.items], url, page.total)
    return figure_json.raw_response(body, response)
