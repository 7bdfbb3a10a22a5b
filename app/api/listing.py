"""The list envelope on the wire: `items`, a full `next` URL and the same URL in `Link`."""

from fastapi import Request, Response


def next_url(request: Request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    return str(request.url.include_query_params(cursor=cursor))


def link_header(response: Response, url: str | None) -> None:
    if url is not None:
        response.headers["Link"] = f'<{url}>; rel="next"'


def base_url(request: Request) -> str:
    return str(request.base_url)
