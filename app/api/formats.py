"""Lists as CSV and NDJSON besides JSON: negotiation, and streaming every row in constant memory.

`?format=csv|ndjson` wins over `Accept` (`text/csv`, `application/x-ndjson`), which is read
as HTTP says: the highest `q` wins, ties go to the type named first, `q=0` refuses a type, and
a header naming none of the types offered is a 406. With `limit`, the answer is one page (the
next page in `Link`); without it, every matching row is streamed, fetched a batch at a time by
keyset, so memory stays flat however many rows match.
"""

from collections.abc import Callable, Iterator
from typing import Annotated, Any, ClassVar, Literal

from fastapi import Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlmodel import Session

from app.api.accept import choose, media_ranges
from app.api.listing import Records, base_url, link_header, next_url
from app.api.pages import html_response
from app.api.problems import PROBLEM_JSON, Problem
from app.errors import DomainError
from app.services.common.pagination import DEFAULT_LIMIT
from app.services.present import tables
from app.services.present.tables import Encoder, Fetch, Present, Rows
from app.web import pages as web

Format = Literal["json", "csv", "ndjson", "html"]
CSV = "text/csv"
NDJSON = "application/x-ndjson"
MEDIA_TYPES = {"csv": f"{CSV}; charset=utf-8", "ndjson": NDJSON}
# Each format and the media types that ask for it, in the order a wildcard prefers them.
OFFERED: dict[Format, tuple[str, ...]] = {
    "json": ("application/json",),
    "csv": (CSV,),
    "ndjson": (NDJSON, "application/ndjson", "application/jsonl"),
    # Last: a wildcard never picks the page; a browser, which names text/html, does.
    "html": ("text/html",),
}
AVAILABLE = [types[0] for types in OFFERED.values()]


class NotAcceptableError(DomainError):
    status = 406
    title = "Not acceptable"
    headers: ClassVar[dict[str, str] | None] = {"Vary": "Accept"}


FormatParam = Annotated[
    Format | None,
    Query(
        description="`json` (default), `csv`, `ndjson` or `html` (the reader's page, which "
        "browsers get by `Accept`); wins over the `Accept` header. CSV and NDJSON without "
        "`limit` stream every matching row.",
        examples=["csv"],
    ),
]
BomParam = Annotated[
    bool,
    Query(description="CSV only: start with a byte-order mark, for Excel.", examples=[False]),
]

# Extra content types of a list's 200 response, for the OpenAPI document.
LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            CSV: {"schema": {"type": "string"}},
            NDJSON: {"schema": {"type": "string"}},
            "text/html": {"schema": {"type": "string"}},
        },
        "description": "A page of records (JSON), the rows as CSV or NDJSON, or a page for a "
        "browser (HTML).",
    },
    406: {
        "model": Problem,
        "description": "`Accept` names none of JSON, CSV, NDJSON and HTML (or refuses them all with "
        "`q=0`); `available` lists the types offered.",
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    },
}


def negotiate(request: Request, requested: Format | None) -> Format:
    """`?format=` if given; else the `Accept` type with the highest q (ties: the first named;
    a wildcard, or no header at all, means JSON); a 406 when none is acceptable."""
    if requested is not None:
        return requested
    ranges = media_ranges(request.headers.get("accept", ""))
    if not ranges:
        return "json"
    chosen = choose(ranges, OFFERED.items())
    if chosen is None:
        raise NotAcceptableError(
            "Accept: none of the types offered is acceptable; ask for one of "
            f"{', '.join(AVAILABLE)} (or use ?format=json|csv|ndjson|html)",
            available=AVAILABLE,
        )
    return chosen


def table_response(
    request: Request,
    *,
    table: str,
    fmt: Format,
    bom: bool,
    limit: int | None,
    cursor: str | None,
    session: Session,
    fetch: Fetch,
    present: Present,
    rows: Rows,
) -> Response:
    """One page (with `limit`) or every row, streamed (without), as CSV or NDJSON."""
    encoder = Encoder(table, fmt, bom, rows)
    media_type = MEDIA_TYPES[fmt]
    filename = f"sourced-{table}.{'csv' if fmt == 'csv' else 'ndjson'}"
    # The same URL answers JSON, CSV or NDJSON by Accept: a shared cache must key on it.
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Vary": "Accept"}
    if limit is not None:
        page = fetch(session, cursor, limit)
        body = encoder.header() + encoder.encode([present(v) for v in page.items])
        response = Response(body, media_type=media_type, headers=headers)
        link_header(response, next_url(request, page.next_cursor))
        return response
    # The first batch is read now, so a bad sort or cursor is still a 400, not a broken stream.
    first = fetch(session, cursor, tables.BATCH)
    first_items = [present(v) for v in first.items]
    engine = request.app.state.read_engine

    def stream() -> Iterator[bytes]:
        yield encoder.header() + encoder.encode(first_items)
        position = first.next_cursor
        if position is None:
            return
        # Its own session: the request's unit of work has ended before the stream is read.
        with Session(engine) as stream_session:
            for items in tables.batches(stream_session, fetch, present, position):
                yield encoder.encode(items)

    return StreamingResponse(stream(), media_type=media_type, headers=headers)


def list_answer(
    request: Request,
    response: Response,
    *,
    table: str,
    records: Records,
    requested: Format | None,
    bom: bool,
    limit: int | None,
    cursor: str | None,
    count: bool,
    session: Session,
    fetch: Callable[[Session, str | None, int, bool], Any],
) -> Response:
    """A list endpoint's answer: a JSON page, or CSV/NDJSON (one page, or every row streamed).

    ``fetch(session, cursor, limit, count)`` returns a service Page; ``records`` says how its
    views become public records, rows and the JSON envelope."""
    root = base_url(request)
    of = records.of

    def present(view: Any) -> Any:
        return of(view, root)

    fmt = negotiate(request, requested)
    if fmt == "html":
        page = fetch(session, cursor, limit or DEFAULT_LIMIT, count)
        items = records.dicts(page, root)
        # The downloads keep the page's filters and sort, and hold every row, not one page.
        whole = request.url.remove_query_params(["cursor", "limit", "count", "format", "bom"])
        downloads = {
            "csv": str(whole.include_query_params(format="csv")),
            "json": str(whole.include_query_params(format="json")),
        }
        html = web.listing(
            table, items, root, next_url(request, page.next_cursor), page.total, downloads
        )
        return html_response(html)
    if fmt != "json":
        return table_response(
            request,
            table=table,
            fmt=fmt,
            bom=bom,
            limit=limit,
            cursor=cursor,
            session=session,
            fetch=lambda s, c, n: fetch(s, c, n, False),
            present=present,
            rows=records.rows,
        )
    return json_page(
        request, response, records, fetch(session, cursor, limit or DEFAULT_LIMIT, count)
    )


def json_page(request: Request, response: Response, records: Records, page: Any) -> Response:
    """A service Page as the JSON list envelope, its next page in `Link`."""
    url = next_url(request, page.next_cursor)
    link_header(response, url)
    response.headers.add_vary_header("Accept")
    return records.json_page(page, base_url(request), url, response)
