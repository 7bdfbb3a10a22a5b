"""The list envelope on the wire: `items`, a full `next` URL and the same URL in `Link`; and
what each kind of listed record says of itself (``Records``), so that the list code
(app/api/formats.py) never asks which kind it holds."""

from collections.abc import Callable
from typing import Any, Protocol

import orjson
from fastapi import Request, Response

from app.api.responses import json_response
from app.schemas import figure_json
from app.schemas.common import Page
from app.schemas.figure_json import StoredFigure
from app.services.present import tables


def next_url(request: Request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    return str(request.url.include_query_params(cursor=cursor))


def link_header(response: Response, url: str | None) -> None:
    if url is not None:
        response.headers["Link"] = f'<{url}>; rel="next"'


def base_url(request: Request) -> str:
    return str(request.base_url)


class Records(Protocol):
    """One kind of listed record: ``of(view, base_url)`` makes a service view the public
    record, ``rows`` writes a batch of those as CSV or NDJSON, and ``json_page`` writes a
    service Page as the JSON list envelope (its `Link` and `Vary` already set on
    ``response``)."""

    @property
    def of(self) -> Callable[[Any, str], Any]: ...

    @property
    def rows(self) -> tables.Rows: ...

    def json_page(
        self, page: Any, base_url: str, next_url: str | None, response: Response
    ) -> Response: ...

    def dicts(self, page: Any, base_url: str) -> list[dict[str, Any]]:
        """The page's records as the JSON's objects, for the reader's list page."""
        ...


class Models:
    """Records that are pydantic models (``model.of(view, base_url)``): dumped and flattened for
    CSV and NDJSON, ``Page[model]`` as JSON."""

    rows: tables.Rows = tables.DUMPED

    def __init__(self, model: Any):
        self.of: Callable[[Any, str], Any] = model.of
        self.page: Any = Page[model]

    def json_page(
        self, page: Any, base_url: str, next_url: str | None, response: Response
    ) -> Response:
        of = self.of
        return json_response(
            self.page(items=[of(v, base_url) for v in page.items], next=next_url, total=page.total),
            response,
        )

    def dicts(self, page: Any, base_url: str) -> list[dict[str, Any]]:
        return [self.of(v, base_url).model_dump(mode="json") for v in page.items]


class StoredFigures:
    """Figures as their stored texts (``figure_docs.list_stored``): each row and each JSON
    record is the stored bytes, spliced into the CSV, the NDJSON or the list envelope as they
    are (``Page[FigurePublic]``'s bytes: app/schemas/figure_json.py)."""

    rows: tables.Rows = tables.ENCODED

    def __init__(self) -> None:
        self.of: Callable[[Any, str], Any] = StoredFigure.of

    def json_page(
        self, page: Any, base_url: str, next_url: str | None, response: Response
    ) -> Response:
        body = figure_json.stored_page(
            [text.json(base_url) for text in page.items], next_url, page.total
        )
        return figure_json.raw_response(body, response)

    def dicts(self, page: Any, base_url: str) -> list[dict[str, Any]]:
        return [orjson.loads(text.json(base_url)) for text in page.items]


STORED_FIGURES = StoredFigures()
